"""The model zoo in mmagic's format: model-index.yml imports one metafile
per config folder; every config a metafile names exists; every row of each
README's results table has a metafile entry."""
import glob
import os.path as osp
import re

import yaml

from tests.conftest import REPO

TASKS = {'Unconditional GANs', 'Inpainting'}


def metafiles():
    index = yaml.safe_load(open(osp.join(REPO, 'model-index.yml')))
    return {path: yaml.safe_load(open(osp.join(REPO, path)))
            for path in index['Import']}


def results_table_configs(readme):
    """Configs linked from the table under '## Results and models'."""
    text = open(readme).read()
    section = text.split('## Results and models', 1)[1].split('\n## ', 1)[0]
    rows = [line for line in section.splitlines() if line.startswith('| ')]
    links = [re.findall(r'\[config\]\(([^)]+\.py)\)', row) for row in rows]
    assert rows and any(links), f'{readme}: no results table with configs'
    return {osp.normpath(osp.join(osp.dirname(readme), link))
            for row in links for link in row}


def test_every_config_folder_with_a_readme_has_an_imported_metafile():
    folders = {osp.dirname(p) for p in glob.glob(
        osp.join(REPO, 'configs', '*', 'README.md'))}
    imported = {osp.dirname(osp.join(REPO, p)) for p in metafiles()}
    assert folders and folders == imported


def test_metafile_entries_name_existing_configs_and_mmagic_tasks():
    for path, meta in metafiles().items():
        collections = {c['Name'] for c in meta['Collections']}
        for collection in meta['Collections']:
            assert osp.isfile(osp.join(REPO, collection['README']))
            assert set(collection['Task']) <= TASKS and collection['Year']
            assert collection['Paper']['Title'] and collection['Paper']['URL']
        for model in meta['Models']:
            assert model['In Collection'] in collections, path
            config = osp.join(REPO, model['Config'])
            assert osp.isfile(config), model['Config']
            assert model['Name'] == osp.basename(config)[:-3]
            for result in model['Results']:
                assert result['Task'] in TASKS and result['Dataset']
                assert all(isinstance(v, (int, float))
                           for v in result['Metrics'].values())


def test_every_results_table_row_has_a_metafile_entry():
    entries = {osp.normpath(osp.join(REPO, model['Config']))
               for meta in metafiles().values() for model in meta['Models']}
    for readme in glob.glob(osp.join(REPO, 'configs', '*', 'README.md')):
        missing = results_table_configs(readme) - entries
        assert not missing, f'{readme}: rows without metafile entries'
