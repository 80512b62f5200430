"""conv_block ignores bn_first: both networks are conv -> BN -> ReLU, so the experiment compares nothing."""
CAUGHT_BY = ["test_orders_really_differ"]
MESSAGE_MENTIONS = "right before a batch norm"


def conv_block(ni, nf, ks=3, act=True, bn_first=True):
    layers = [nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2), nn.BatchNorm2d(nf)]
    if act:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)
