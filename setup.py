"""mmcoop: cooperative learning (CoopNets) as an OpenMMLab mmagic plugin.

``pip install -e .`` installs the package and its pinned requirements;
mmagic itself must be installed with ``pip install --no-deps mmagic==1.2.0``
(its declared extras are not needed and some do not install on this stack),
which ``tools/setup_env.sh`` does.
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def requirements():
    with open(osp.join(HERE, 'requirements.txt')) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [line for line in lines if line and not line.startswith('pytest')]


setup(
    name='mmcoop',
    version='0.1.0',
    description='CoopNets (Xie et al., AAAI 2018) for OpenMMLab mmagic',
    packages=find_packages(include=['mmcoop', 'mmcoop.*']),
    python_requires='>=3.10',
    install_requires=requirements(),
    extras_require={'tests': ['pytest==9.2.0']},
    license='Apache License 2.0',
)
