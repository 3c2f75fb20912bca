"""Config helpers shared by the benchmark scripts."""
import functools
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
# before any mmagic import: the compatibility fixes and registrations
import mmcoop  # noqa: E402,F401


@functools.lru_cache()
def load_config(config: str):
    from mmengine import Config
    return Config.fromfile(config)


def applies_to(config: str, option: str) -> bool:
    """Whether ``key=value`` sets something the config has the parent of
    (``model.sampler.inference_steps`` only for models with a sampler)."""
    node = load_config(config)
    for part in option.split('=', 1)[0].split('.')[:-1]:
        if isinstance(node, (list, tuple)) and part.isdigit():
            node = node[int(part)] if int(part) < len(node) else None
        else:
            node = node.get(part) if hasattr(node, 'get') else None
        if node is None:
            return False
    return True
