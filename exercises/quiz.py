"""Quiz: konwolucyjne sieci neuronowe (rozdział 13) / Quiz: convolutional neural networks (chapter 13)

Odpowiedz na pytania z rozdziału, na które nie odpowie kod. Przy każdym pytaniu zamień None na odpowiedź:
jedną literę ("b"), listę liter (["a", "c"]) albo liczbę. Kolejność odpowiedzi zależy od SEED: nie zmieniaj
tej linii (twój osobisty formularz może mieć inny SEED i inne litery). Zła odpowiedź dostaje wyjaśnienie,
jaki błąd w rozumowaniu za nią stoi.

Answer the chapter's questions that code cannot answer. For each question replace None with your answer: one
letter ("b"), a list of letters (["a", "c"]) or a number. The order of the options depends on SEED: leave
that line as it is (your personal form may have another SEED and other letters). A wrong answer is told
which misconception lies behind it.
"""

SEED = 0
ANSWERS = {}

# --- q01: Pytanie 1 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: Czym jest cecha (feature)?
# EN: What is a feature?
#   a) Przekształceniem danych, które ma ułatwić ich modelowanie (np. mapa krawędzi uzyskana jądrem). / A
#      transformation of the data designed to make it easier to model (e.g. an edge map made by a kernel).
#   b) Pojedynczym pikselem obrazu wejściowego. / A single pixel of the input image.
#   c) Etykietą, którą model ma przewidzieć. / The label the model has to predict.
#   d) Wagą sieci, którą optymalizator zmienia w trakcie uczenia. / A weight of the network that the
#      optimizer changes during training.
ANSWERS["q01"] = None

# --- q09: Pytanie 9 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: Czym jest kanał (channel)?
# EN: What is a channel?
#   a) Jedną warstwą sieci. / One layer of the network.
#   b) Jednym obrazem we wsadzie. / One image in the batch.
#   c) Wysokością mapy cech po splocie. / The height of the feature map after a convolution.
#   d) Jedną z wartości zapisanych w każdym punkcie siatki (wymiar 1 w NCHW) - na wejściu kolor R, G lub B,
#      dalej wynik jednego filtra. / One of the values stored at every grid position (dim 1 of NCHW) - a
#      colour R, G or B at the input, later the output of one filter.
ANSWERS["q09"] = None

# --- q09_nchw: Pytanie 9 z rozdziału, pkt: 1; liczba
# PL: Wsad 64 kolorowych obrazów 28x28 w układzie NCHW. Ile wynosi rozmiar wymiaru 1 (kanały)?
# EN: A batch of 64 colour images of 28x28 in NCHW layout. What is the size of dimension 1 (channels)?
ANSWERS["q09_nchw"] = None

# --- q11: Pytanie 11 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: Czym jest konwolucyjna sieć neuronowa (CNN)?
# EN: What is a convolutional neural network (CNN)?
#   a) Każdą sieć, która przetwarza obrazy. / Any network that processes images.
#   b) Siecią neuronową, która ma warstwy splotowe (konwolucyjne). / A neural network that has convolutional
#      layers.
#   c) Siecią, w której każdy neuron widzi wszystkie piksele obrazu. / A network in which every neuron sees
#      every pixel of the image.
#   d) Siecią bez żadnej warstwy w pełni połączonej. / A network without any fully connected layer.
ANSWERS["q11"] = None

# --- q12: Pytanie 12 z rozdziału, pkt: 2; lista wszystkich poprawnych liter, np. ["a", "c"]
# PL: Co zyskujemy, wydzielając powtarzające się części definicji sieci do funkcji (jak conv(ni, nf) w
#    rozdziale)? Wybierz wszystkie poprawne.
# EN: What do we gain by refactoring repeated parts of a network definition into a function (like the
#    chapter's conv(ni, nf))? Choose all that apply.
#   a) Mniej błędów z niespójności między warstwami (np. niepasujące liczby kanałów albo zapomniany ReLU). /
#      Fewer errors from inconsistencies between layers (e.g. mismatched channel counts or a forgotten
#      ReLU).
#   b) Sieć uczy się szybciej. / The network trains faster.
#   c) Czytelnik od razu widzi, co zmienia się z warstwy na warstwę. / The reader sees at once what changes
#      from layer to layer.
#   d) Sieć ma mniej parametrów. / The network has fewer parameters.
ANSWERS["q12"] = None

# --- q22: Pytanie 22 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: W czystym PyTorchu: jak obejrzeć wsad danych z DataLoadera dl, zanim zaczniemy uczyć (odpowiednik
#    show_batch z fastai)?
# EN: In plain PyTorch: how do you look at a batch of data from a DataLoader dl before training (fastai's
#    show_batch)?
#   a) xb, yb = next(iter(dl)), potem xb.shape i plt.imshow(xb[0, 0]) z etykietą yb[0]. / xb, yb =
#      next(iter(dl)), then xb.shape and plt.imshow(xb[0, 0]) titled with yb[0].
#   b) dl[0] / dl[0]
#   c) model(xb) i obejrzenie wyniku. / model(xb) and looking at the result.
#   d) print(dl) / print(dl)
ANSWERS["q22"] = None

# --- q26: Pytanie 26 z rozdziału, pkt: 2; lista wszystkich poprawnych liter, np. ["a", "c"]
# PL: W czystym PyTorchu statystyki aktywacji zbiera forward hook: h = layer.register_forward_hook(hook). Co
#    jest prawdą? Wybierz wszystkie poprawne.
# EN: In plain PyTorch, activation statistics are collected by a forward hook: h =
#    layer.register_forward_hook(hook). What is true? Choose all that apply.
#   a) hook(module, input, output) jest wywoływany po każdym przebiegu w przód tej warstwy i widzi jej
#      wyjście (aktywacje). / hook(module, input, output) is called after every forward pass of that layer
#      and sees its output (activations).
#   b) Dostaje gradient straty względem wyjścia warstwy. / It receives the gradient of the loss with respect
#      to the layer's output.
#   c) Zapisuje wagi warstwy po każdym kroku optymalizatora. / It records the layer's weights after every
#      optimizer step.
#   d) Działa, dopóki nie wywołamy h.remove(); po uczeniu trzeba go usunąć. / It keeps running until
#      h.remove() is called; remove it after training.
#   e) Jest wywoływany raz, w chwili rejestracji. / It is called once, when it is registered.
ANSWERS["q26"] = None

# --- q29: Pytanie 29 z rozdziału, pkt: 2; lista wszystkich poprawnych liter, np. ["a", "c"]
# PL: Jakie są zalety i wady uczenia z większym wsadem? Wybierz wszystkie prawdziwe zdania.
# EN: What are the upsides and downsides of training with a larger batch size? Choose every true statement.
#   a) Jeden wsad potrzebuje więcej pamięci (np. na GPU). / One batch needs more memory (e.g. on the GPU).
#   b) Model z większym wsadem ma więcej parametrów. / A model trained with a larger batch has more
#      parameters.
#   c) Większy wsad zawsze daje lepszą dokładność końcową. / A larger batch always gives a better final
#      accuracy.
#   d) Gradient jest dokładniejszy, bo liczy się go z większej liczby przykładów. / The gradient is more
#      accurate, because it is computed from more examples.
#   e) W epoce jest mniej wsadów, więc model ma mniej okazji do aktualizacji wag. / An epoch has fewer
#      batches, so the model gets fewer chances to update its weights.
ANSWERS["q29"] = None

# --- q29_steps: Pytanie 29 z rozdziału, pkt: 1; liczba
# PL: Zbiór ma 8000 obrazów, a wsad 128. Ile kroków optymalizatora (aktualizacji wag) wykona jedna epoka,
#    jeśli ostatni, niepełny wsad też jest użyty?
# EN: The training set has 8,000 images and the batch size is 128. How many optimizer steps (weight updates)
#    does one epoch take if the last, incomplete batch is used too?
ANSWERS["q29_steps"] = None

# --- q29_noise: Pytanie 29 z rozdziału, pkt: 1; liczba
# PL: Gradient wsadu to średnia gradientów jego przykładów. Ile razy mniejsze jest odchylenie standardowe
#    (szum) tej średniej dla wsadu 256 niż dla wsadu 64? Wystarczą dwie cyfry po przecinku.
# EN: A batch's gradient is the mean of its examples' gradients. How many times smaller is the standard
#    deviation (the noise) of that mean for a batch of 256 than for a batch of 64? Two decimals are enough.
ANSWERS["q29_noise"] = None

# --- q32: Pytanie 32 z rozdziału, pkt: 2; lista wszystkich poprawnych liter, np. ["a", "c"]
# PL: Jakie korzyści daje uczenie z wysokim współczynnikiem uczenia (w środku 1cycle)? Wybierz wszystkie
#    poprawne.
# EN: What are the benefits of training with a high learning rate (in the middle of 1cycle)? Choose all that
#    apply.
#   a) Mniejsze ryzyko przeuczenia, bo duże kroki przeskakują ostre minima lokalne i trafiają w gładsze
#      obszary funkcji straty, które lepiej uogólniają. / Less overfitting, because large steps skip over
#      sharp local minima and end in smoother areas of the loss that generalise better.
#   b) Pozwala dokładnie trafić w samo minimum pod koniec uczenia. / It lets training settle precisely into
#      the minimum at the end.
#   c) Uczenie postępuje szybciej, bo kroki są większe. / Training progresses faster, because the steps are
#      larger.
#   d) Jest bezpieczny od pierwszego wsadu, więc rozgrzewka nie jest potrzebna. / It is safe from the very
#      first batch, so no warm-up is needed.
#   e) Zastępuje normalizację wsadową. / It replaces batch normalization.
ANSWERS["q32"] = None

# --- q35: Pytanie 35 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: W czystym PyTorchu (bez Recordera z fastai): jak zapisać wartości hiperparametrów (współczynnik
#    uczenia, momentum) w trakcie uczenia?
# EN: In plain PyTorch (without fastai's Recorder): how do you keep the values of the hyperparameters
#    (learning rate, momentum) during training?
#   a) Forward hook na ostatniej warstwie. / A forward hook on the last layer.
#   b) Po każdym kroku odczytać opt.param_groups[0]['lr'] (i 'momentum' albo 'betas') i dopisać do listy we
#      własnej pętli uczenia. / After every step read opt.param_groups[0]['lr'] (and 'momentum' or 'betas')
#      and append them to a list in your own training loop.
#   c) loss.backward() dopisuje bieżący współczynnik uczenia do tensora straty. / loss.backward() attaches
#      the current learning rate to the loss tensor.
#   d) PyTorch zapisuje je sam w model.state_dict(). / PyTorch stores them itself in model.state_dict().
ANSWERS["q35"] = None

# --- q37_pictures: Pytanie 37 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: Obrazek pokazuje wykresy color_dim przedostatniej warstwy dwóch sieci uczonych na MNIST (kolumna =
#    histogram aktywacji jednego wsadu, najmniejsze na dole). Jedna to sieć z normalizacją wsadową i 1cycle,
#    druga to ta sama sieć bez normalizacji wsadowej ze zbyt wysokim współczynnikiem uczenia. Który wykres
#    pokazuje złe uczenie?
# EN: The picture shows the color_dim plots of the second-to-last layer of two networks trained on MNIST (a
#    column = the histogram of one batch's activations, the smallest at the bottom). One is the network with
#    batch norm and 1cycle, the other the same network without batch norm and with too high a learning rate.
#    Which plot shows bad training?
# Obrazek: quizzes/chapter13_color_dim.png (notatnik go pokazuje)
#   a) Wykres 2 / Plot 2
#   b) Wykres 1 / Plot 1
ANSWERS["q37_pictures"] = None

# --- q37_why: Pytanie 37 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: Dlaczego jasny dolny wiersz na wykresie color_dim (prawie wszystkie aktywacje bliskie zera) oznacza
#    złe uczenie?
# EN: Why does a bright bottom row in the color_dim plot (nearly all activations near zero) mean bad
#    training?
#   a) To nie jest problem, bo ReLU i tak zeruje połowę aktywacji. / It is not a problem, because ReLU
#      zeroes half of the activations anyway.
#   b) Oznacza, że wsady są za małe. / It means the batches are too small.
#   c) Dolny wiersz to największe aktywacje, więc sieć jest przesterowana. / The bottom row holds the
#      largest activations, so the network is saturated.
#   d) Aktywacje bliskie zera nic nie liczą (mnożenie przez zero daje zero) i rodzą zera w następnych
#      warstwach; sieć cyklicznie się zapada i powoli wygrzebuje, zamiast się uczyć. / Near-zero activations
#      compute nothing (multiplying by zero gives zero) and breed zeros in later layers; the network keeps
#      collapsing and slowly climbing out instead of learning.
ANSWERS["q37_why"] = None

# --- q40: Pytanie 40 z rozdziału, pkt: 1; jedna litera, np. "a"
# PL: Dlaczego modele z normalizacją wsadową lepiej uogólniają?
# EN: Why do models with batch normalization layers generalize better?
#   a) Zerują ujemne aktywacje. / They zero the negative activations.
#   b) Średnia i odchylenie każdego wsadu są trochę inne, więc uczenie widzi w aktywacjach odrobinę szumu,
#      który działa jak regularyzacja. / Every batch has a slightly different mean and standard deviation,
#      so training sees a little noise in the activations, which acts as regularisation.
#   c) Dodają wiele parametrów, więc model jest większy i mocniejszy. / They add many parameters, so the
#      model is bigger and stronger.
#   d) Podczas walidacji normalizują statystykami bieżącego wsadu, więc dopasowują się do danych testowych.
#      / At validation time they normalise with the current batch's statistics, so they adapt to the test
#      data.
ANSWERS["q40"] = None
