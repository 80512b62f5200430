"""conv_bn applies ReLU before batch norm: conv -> ReLU -> BatchNorm2d."""
CAUGHT_BY = ["test_conv_bn_is_conv_then_batchnorm_then_relu"]
MISTAKE = "conv_bn_relu_before_bn"


def conv_bn(ni, nf, ks=3, act=True):
    layers = [nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)]
    if act:
        layers.append(nn.ReLU())
    layers.append(BatchNorm2d(nf))
    return nn.Sequential(*layers)
