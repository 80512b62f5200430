"""The ReLU-first network leaves batch norm out of its blocks instead of moving it after the ReLU."""
CAUGHT_BY = ["test_orders_really_differ", "test_only_the_order_differs"]
MESSAGE_MENTIONS = "right before a batch norm"


def conv_block(ni, nf, ks=3, act=True, bn_first=True):
    layers = [nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)]
    if not act:
        layers.append(nn.BatchNorm2d(nf))
    elif bn_first:
        layers += [nn.BatchNorm2d(nf), nn.ReLU()]
    else:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)
