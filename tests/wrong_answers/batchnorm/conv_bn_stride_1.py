"""conv_bn's convolution keeps the default stride 1, so the grid is not halved."""
CAUGHT_BY = ["test_conv_bn_halves_the_grid"]
MISTAKE = "conv_bn_stride_1"


def conv_bn(ni, nf, ks=3, act=True):
    layers = [nn.Conv2d(ni, nf, ks, padding=ks // 2), BatchNorm2d(nf)]
    if act:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)
