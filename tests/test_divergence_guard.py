"""The divergence guard stops or rolls back a run whose descriptor explodes."""
import glob
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmagic.registry import HOOKS
from mmcoop.engine import (DivergenceDetector, DivergenceGuardHook,
                           TrainingDiverged, last_good_checkpoint,
                           read_divergence)
from tests.test_tools_e2e import CONFIG

BLOW_UP_AT = 3  # the descriptor lr jumps x1e8 before this iteration


@HOOKS.register_module(force=True)
class InjectDescriptorLrJump(Hook):
    """Test-only: multiplies the descriptor lr by 1e8 before each of the
    iterations ``at``, once each (not again when a rollback repeats it)."""
    priority = 'VERY_HIGH'

    def __init__(self, at=(BLOW_UP_AT, )):
        self.pending = set(at)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 in self.pending:
            self.pending.remove(runner.iter + 1)
            for group in runner.optim_wrapper['descriptor'].param_groups:
                group['lr'] *= 1e8


def runner_for(work_dir, celeba_root, action, max_iters,
               blow_up_at=(BLOW_UP_AT, ), max_keep_ckpts=-1):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({
        'work_dir': str(work_dir),
        'experiment_name': f'guard-{action}-{osp.basename(work_dir)}',
        'train_dataloader.dataset.data_root': celeba_root,
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_iters': max_iters,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': max_keep_ckpts,
        'default_hooks.logger.interval': 1,
        'default_hooks.divergence_guard.action': action,
        'default_hooks.divergence_guard.patience': 1,
        'custom_hooks': [
            dict(type='InjectDescriptorLrJump', at=list(blow_up_at))
        ],
    })
    return Runner.from_cfg(cfg)


def test_stop_names_the_iteration_and_keeps_the_good_checkpoint(
        celeba_root, tmp_path):
    runner = runner_for(tmp_path, celeba_root, 'stop', max_iters=8)
    with pytest.raises(TrainingDiverged) as error:
        runner.train()
    message = str(error.value)
    diverged_at = runner.iter + 1
    assert f'Training diverged at iteration {diverged_at}' in message
    assert 'descriptor learning rate' in message
    # the update of iteration BLOW_UP_AT is the bad one; it shows at the
    # next iteration, which is never checkpointed
    assert diverged_at == BLOW_UP_AT + 1
    saved = sorted(osp.basename(p) for p in glob.glob(str(tmp_path /
                                                          'iter_*.pth')))
    assert saved == [f'iter_{i}.pth' for i in range(1, diverged_at)]
    good = tmp_path / f'iter_{BLOW_UP_AT - 1}.pth'
    assert f'The last good checkpoint, {good}, was kept' in message
    # a plain --resume continues from it, not from the newer iter_3
    assert (tmp_path / 'last_checkpoint').read_text() == str(good)
    # the same facts, for scripts; a new run in the work dir clears them
    record = read_divergence(str(tmp_path))
    assert record['iteration'] == diverged_at
    assert record['last_good_checkpoint'] == str(good)
    assert record['problem'] in message
    DivergenceGuardHook().before_train(SimpleNamespace(
        model=torch.nn.Linear(1, 1), work_dir=str(tmp_path), rank=0))
    assert read_divergence(str(tmp_path)) is None
    state = torch.load(good, map_location='cpu')['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())


def test_rollback_reloads_the_good_checkpoint_with_a_lower_lr(
        celeba_root, tmp_path):
    runner = runner_for(tmp_path, celeba_root, 'rollback', max_iters=6)
    runner.train()
    guard = next(h for h in runner.hooks
                 if type(h).__name__ == 'DivergenceGuardHook')
    assert guard.rollbacks == 1
    assert runner.iter == 6
    # the checkpoint's lr (0.001, from before the jump) times lr_factor 0.5
    lr = runner.optim_wrapper['descriptor'].param_groups[0]['lr']
    assert lr == pytest.approx(0.001 * 0.5)
    final = torch.load(tmp_path / 'iter_6.pth', map_location='cpu')
    assert all(torch.isfinite(v).all() for v in final['state_dict'].values()
               if v.is_floating_point())


def test_rollback_keeps_its_checkpoint_and_those_the_keep_count_allows(
        celeba_root, tmp_path):
    """max_keep_ckpts=3: iterations 1-3 are saved, iteration 4 diverges and
    rolls back to iter_2. The re-save of iter_2 counts as iter_2, not as a
    new checkpoint, so iteration 4's save removes only iter_1; before the
    fix the re-save pushed out iter_1, then iter_2 (the anchor) and iter_3,
    leaving iter_4 alone."""
    runner = runner_for(tmp_path, celeba_root, 'rollback', max_iters=4,
                        max_keep_ckpts=3)
    runner.train()
    saved = sorted(osp.basename(p) for p in glob.glob(str(tmp_path /
                                                          'iter_*.pth')))
    assert saved == ['iter_2.pth', 'iter_3.pth', 'iter_4.pth']
    assert runner.message_hub.get_info('keep_ckpt_ids') == [2, 3, 4]


def test_rollbacks_lower_the_learning_rates_once_each(celeba_root,
                                                     tmp_path):
    """The second blow-up rolls back to a checkpoint written after the first
    rollback, whose rates are already halved: they are halved once more
    (0.25 x the schedule's), not twice (0.125 x)."""
    runner = runner_for(tmp_path, celeba_root, 'rollback', max_iters=8,
                        blow_up_at=(3, 6))
    runner.train()
    guard = next(h for h in runner.hooks
                 if type(h).__name__ == 'DivergenceGuardHook')
    assert guard.rollbacks == 2
    assert runner.iter == 8
    for name, lr in (('descriptor', 0.001), ('generator', 1e-4)):
        rate = runner.optim_wrapper[name].param_groups[0]['lr']
        assert rate == pytest.approx(lr * 0.25)
    final = torch.load(tmp_path / 'iter_8.pth', map_location='cpu')
    assert final['meta']['divergence_guard_lr_scale'] == 0.25
    assert final['optimizer']['descriptor']['param_groups'][0][
        'lr'] == pytest.approx(0.001 * 0.25)


def test_last_good_checkpoint_passes_over_the_one_before_the_bad_iteration(
        tmp_path):
    for i in (2, 4, 6):
        (tmp_path / f'iter_{i}.pth').write_bytes(b'')
    assert last_good_checkpoint(str(tmp_path), 7) == str(tmp_path /
                                                          'iter_4.pth')
    assert last_good_checkpoint(str(tmp_path), 8) == str(tmp_path /
                                                          'iter_6.pth')
    assert last_good_checkpoint(str(tmp_path), 3) is None


@pytest.mark.parametrize('bad', [float('nan'), float('inf'), -float('inf')])
def test_a_non_finite_trained_parameter_is_a_divergence(bad):
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 1))
    detector = DivergenceDetector(keys=(), drift_key=None)
    assert detector.check(model, {}) is None
    with torch.no_grad():
        model[1].weight[0, 2] = bad
    assert detector.check(model, {}) == (
        'a network parameter is not finite', 1)


def test_the_guard_watches_what_the_model_names():
    """Algorithm G names only its loss: a large drift of another kind is no
    divergence for it; explicit keys win over the model's."""
    from mmcoop.models import GeneratorABP
    model = torch.nn.Linear(1, 1)
    model.divergence_watch = GeneratorABP.divergence_watch
    runner = SimpleNamespace(model=model, work_dir='/nonexistent', rank=1)
    guard = DivergenceGuardHook(patience=1)
    guard.before_train(runner)
    assert guard.detector.keys == ('loss_generator', )
    assert guard.detector.check(model, dict(langevin_drift=9.0)) is None
    assert guard.detector.check(model, dict(
        loss_generator=float('nan')))[0] == 'loss_generator is nan'
    explicit = DivergenceGuardHook(keys=['f_revised'],
                                   drift_key='inference_drift', patience=1)
    explicit.before_train(runner)
    assert explicit.detector.check(model, dict(inference_drift=9.0)) == (
        'inference_drift = 9 exceeded 0.5 for 1 iterations', 1)
