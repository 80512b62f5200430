"""Convolution as matrix multiplication, colour images, pooling and 1-D convolution (fastbook ch. 13,
questions 10, 20 and 21, and the lecture notes).

A convolution is a special matrix multiplication: every output pixel is the dot product of the kernel
with one window of the input. Cut all windows out of the image (``F.unfold``, "im2col"), lay them side
by side as columns, and one matrix multiply with the flattened kernels computes the whole feature map.
The same weights are reused in every window (parameter sharing, Q10), and a colour image simply has one
kernel slice per channel whose results are added up (Q21). Max pooling keeps the largest value of each
window; a 1-D convolution slides a kernel along a signal.

Splot jako mnożenie macierzy, obrazy kolorowe, pooling i splot 1-D (rozdział 13, pytania 10, 20 i 21, oraz
notatki z wykładu).

Splot to szczególne mnożenie macierzy: każdy piksel wyjścia to iloczyn skalarny jądra z jednym oknem
wejścia. Wytnij wszystkie okna z obrazu (``F.unfold``, "im2col"), ułóż je obok siebie jako kolumny, a jedno
mnożenie macierzy przez spłaszczone jądra policzy całą mapę cech. Te same wagi są używane w każdym oknie
(współdzielenie parametrów, P10), a obraz kolorowy ma po prostu po jednym wycinku jądra na kanał, których
wyniki się sumuje (P21). Max pooling zostawia największą wartość każdego okna; splot 1-D przesuwa jądro
wzdłuż sygnału.
"""
import torch
import torch.nn.functional as F


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    """A 2-D convolution of an NCHW batch written as im2col plus ONE matrix multiplication (Q20, Q21).

    Shapes: ``x`` is (N, C_in, H, W), ``weight`` is (C_out, C_in, k, k), ``bias`` is None or (C_out,);
    ``stride`` and ``padding`` are ints (padding is added on each side). The result has shape
    (N, C_out, out_h, out_w) with ``out_h = (H + 2*padding - k) // stride + 1`` (the same for the width)
    and must equal ``F.conv2d(x, weight, bias, stride, padding)`` -- without calling ``conv2d``.

    Recipe: ``F.unfold(x, k, padding=padding, stride=stride)`` gives (N, C_in*k*k, L) with one column per
    window (L = out_h*out_w); ``weight.view(C_out, -1)`` is (C_out, C_in*k*k); their product is
    (N, C_out, L). Add the bias once per output channel (it broadcasts over all L positions) and reshape
    to (N, C_out, out_h, out_w). Do not flip the kernel: like PyTorch we compute cross-correlation.

    Worked example: a (1, 1, 5, 5) image and a (1, 1, 3, 3) kernel give 9 windows of 9 pixels, so the
    product is (1, 9) @ (9, 9) -> (1, 9) -> reshaped to (1, 1, 3, 3). For a colour image (C_in = 3) each
    column holds 3*k*k numbers, one k x k patch per channel, and the dot product adds all three channels'
    results together: one output pixel per window, not one per channel (Q21).

    Splot 2-D wsadu NCHW zapisany jako im2col i JEDNO mnożenie macierzy (P20, P21).

    Kształty: ``x`` to (N, C_in, H, W), ``weight`` to (C_out, C_in, k, k), ``bias`` to None albo (C_out,);
    ``stride`` i ``padding`` to liczby całkowite (dopełnienie dodaje się z każdej strony). Wynik ma kształt
    (N, C_out, out_h, out_w), gdzie ``out_h = (H + 2*padding - k) // stride + 1`` (tak samo dla szerokości),
    i musi być równy ``F.conv2d(x, weight, bias, stride, padding)`` -- bez wywoływania ``conv2d``.

    Przepis: ``F.unfold(x, k, padding=padding, stride=stride)`` daje (N, C_in*k*k, L), jedna kolumna na okno
    (L = out_h*out_w); ``weight.view(C_out, -1)`` to (C_out, C_in*k*k); ich iloczyn to (N, C_out, L). Dodaj
    obciążenie raz na kanał wyjścia (rozgłasza się na wszystkie L pozycji) i zmień kształt na (N, C_out,
    out_h, out_w). Nie odwracaj jądra: jak PyTorch liczymy korelację wzajemną.

    Przykład krok po kroku: obraz (1, 1, 5, 5) i jądro (1, 1, 3, 3) dają 9 okien po 9 pikseli, więc iloczyn
    to (1, 9) @ (9, 9) -> (1, 9) -> po zmianie kształtu (1, 1, 3, 3). Dla obrazu kolorowego (C_in = 3) każda
    kolumna ma 3*k*k liczb, po jednym wycinku k x k na kanał, a iloczyn skalarny sumuje wyniki wszystkich
    trzech kanałów: jeden piksel wyjścia na okno, a nie jeden na kanał (P21).
    """
    # BEGIN SOLUTION
    # PROMPT # 1) columns = F.unfold(x, k, padding=padding, stride=stride)   -> (N, C_in*k*k, L)
    # PROMPT # 2) out = weight.view(C_out, -1) @ columns                     -> (N, C_out, L)
    # PROMPT # 3) add the bias per output channel, reshape to (N, C_out, out_h, out_w)
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    out_h = (h + 2 * padding - kh) // stride + 1
    out_w = (w + 2 * padding - kw) // stride + 1
    columns = F.unfold(x, (kh, kw), padding=padding, stride=stride)  # (N, C_in*kh*kw, out_h*out_w)
    out = weight.reshape(c_out, -1) @ columns                         # (N, C_out, out_h*out_w)
    if bias is not None:
        out = out + bias[:, None]                                     # one bias per output channel
    return out.view(n, c_out, out_h, out_w)
    # END SOLUTION


def conv_as_matrix(kernel, h, w):
    """The matrix of a valid convolution of an h x w image with a 2-D ``kernel`` (Q10, parameter sharing).

    Returns a tensor of shape (out_h*out_w, h*w), with ``out_h = h - k_h + 1`` and ``out_w = w - k_w + 1``,
    such that ``conv_as_matrix(kernel, h, w) @ im.flatten()`` equals the flattened valid convolution
    ``F.conv2d(im[None, None], kernel[None, None]).flatten()``. Row r belongs to output pixel
    (r // out_w, r % out_w); column c to input pixel (c // w, c % w). Every row holds the same k_h*k_w
    kernel weights (shared weights), shifted to the window of its output pixel, and zeros elsewhere.

    Worked example: a 2x2 kernel [[a, b], [c, d]] on a 3x3 image gives a 4x9 matrix; its first row is
    [a, b, 0, c, d, 0, 0, 0, 0] (the window at the top-left corner), and in all it has 36 - 4*4 = 20 zeros.

    Macierz splotu "valid" obrazu h x w z jądrem 2-D ``kernel`` (P10, współdzielenie parametrów).

    Zwraca tensor o kształcie (out_h*out_w, h*w), gdzie ``out_h = h - k_h + 1`` i ``out_w = w - k_w + 1``,
    taki że ``conv_as_matrix(kernel, h, w) @ im.flatten()`` równa się spłaszczonemu splotowi "valid"
    ``F.conv2d(im[None, None], kernel[None, None]).flatten()``. Wiersz r należy do piksela wyjścia (r //
    out_w, r % out_w); kolumna c do piksela wejścia (c // w, c % w). Każdy wiersz zawiera te same k_h*k_w
    wagi jądra (wagi współdzielone), przesunięte do okna swojego piksela wyjścia, a poza nim zera.

    Przykład krok po kroku: jądro 2x2 [[a, b], [c, d]] na obrazie 3x3 daje macierz 4x9; jej pierwszy wiersz
    to [a, b, 0, c, d, 0, 0, 0, 0] (okno w lewym górnym rogu), a razem ma 36 - 4*4 = 20 zer.
    """
    # BEGIN SOLUTION
    # PROMPT # one row per output pixel (i, j): put kernel row a at columns (i+a)*w + j ... (i+a)*w + j + k_w - 1
    kh, kw = kernel.shape
    out_h, out_w = h - kh + 1, w - kw + 1
    matrix = kernel.new_zeros(out_h * out_w, h * w)
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                start = (i + a) * w + j
                matrix[i * out_w + j, start:start + kw] = kernel[a]
    return matrix
    # END SOLUTION


def max_pool2d(x, ks=2, stride=None):
    """Max pooling of an NCHW batch: the largest value in every ks x ks window (lecture notes).

    ``stride=None`` means ``stride=ks`` (windows that do not overlap), as in ``F.max_pool2d``; windows that
    do not fit at the right/bottom edge are dropped, so the output is
    ``(H - ks) // stride + 1`` by ``(W - ks) // stride + 1`` per channel, and every channel is pooled on
    its own. Must equal ``F.max_pool2d(x, ks, stride)`` without calling it; the result keeps the dtype of
    ``x`` (it only picks existing values).

    Worked example: on the 4x4 image [[1, 2, 5, 6], [3, 4, 7, 8], [9, 10, 13, 14], [11, 12, 15, 16]]
    a 2x2 max pool gives [[4, 8], [12, 16]]. Tip: ``x.unfold(2, ks, stride).unfold(3, ks, stride)`` has
    shape (N, C, out_h, out_w, ks, ks) -- one ks x ks window per output pixel.

    Max pooling wsadu NCHW: największa wartość w każdym oknie ks x ks (notatki z wykładu).

    ``stride=None`` oznacza ``stride=ks`` (okna na siebie nie zachodzą), jak w ``F.max_pool2d``; okna, które
    nie mieszczą się przy prawej albo dolnej krawędzi, są pomijane, więc wyjście ma
    ``(H - ks) // stride + 1`` na ``(W - ks) // stride + 1`` na kanał, a każdy kanał jest łączony osobno.
    Musi być równe ``F.max_pool2d(x, ks, stride)`` bez wywoływania tej funkcji; wynik zachowuje dtype ``x``
    (wybiera tylko istniejące wartości).

    Przykład krok po kroku: na obrazie 4x4 [[1, 2, 5, 6], [3, 4, 7, 8], [9, 10, 13, 14], [11, 12, 15, 16]]
    max pooling 2x2 daje [[4, 8], [12, 16]]. Wskazówka: ``x.unfold(2, ks, stride).unfold(3, ks, stride)`` ma
    kształt (N, C, out_h, out_w, ks, ks) -- jedno okno ks x ks na piksel wyjścia.
    """
    # BEGIN SOLUTION
    stride = ks if stride is None else stride
    windows = x.unfold(2, ks, stride).unfold(3, ks, stride)  # (N, C, out_h, out_w, ks, ks)
    return windows.amax(dim=(-2, -1))
    # END SOLUTION


def conv1d(signal, kernel):
    """Valid 1-D cross-correlation of a 1-D ``signal`` (length n) with a 1-D ``kernel`` (length k).

    Output position i is ``(signal[i:i+k] * kernel).sum()``, for i = 0 .. n-k: length n-k+1, no padding,
    no flipping. Must equal ``F.conv1d(signal[None, None], kernel[None, None])[0, 0]`` without calling it.

    Worked example: the signal [1, 2, 4, 7] and the edge kernel [-1, 1] give [1, 2, 3]: each output is
    "next value minus this value", a 1-D version of the chapter's edge detectors.

    Korelacja wzajemna 1-D typu "valid" sygnału 1-D ``signal`` (długość n) z jądrem 1-D ``kernel`` (długość
    k).

    Pozycja i wyjścia to ``(signal[i:i+k] * kernel).sum()`` dla i = 0 .. n-k: długość n-k+1, bez
    dopełnienia, bez odwracania jądra. Musi być równa
    ``F.conv1d(signal[None, None], kernel[None, None])[0, 0]`` bez wywoływania tej funkcji.

    Przykład krok po kroku: sygnał [1, 2, 4, 7] i jądro krawędzi [-1, 1] dają [1, 2, 3]: każde wyjście to
    "następna wartość minus ta wartość", jednowymiarowa wersja detektorów krawędzi z rozdziału.
    """
    # BEGIN SOLUTION
    k = kernel.shape[0]
    windows = signal.unfold(0, k, 1)  # (n-k+1, k): one window per output position
    return windows @ kernel
    # END SOLUTION
