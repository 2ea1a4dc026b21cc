"""A tabular backbone: robust scaling, periodic embeddings, a packed MLP ensemble."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import torch
from torch import nn

from .._validation import Interval, StrOptions, TupleOf, check_component_params
from ..registry import lookup, options, register
from ._mlp import _FlattenInput

__all__ = ["TabularNet", "robust_scale_smooth_clip"]


# Learning-rate multipliers of RealMLP, folded into the parametrisation: a parameter
# used as ``c * p`` moves ``c`` times as fast under Adam, whose step ignores the scale
# of the gradient (under SGD, ``c**2`` times).
_SCALE_LR_FACTOR = 6.0
_BIAS_LR_FACTOR = 0.1


_Z_MAX = 1e18
# The largest factor float32 holds: a spread of subnormal numbers (below about 3e-39)
# would make ``1 / spread`` infinite, and ``inf * 0`` at the median NaN.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def robust_scale_smooth_clip(x, median, factor):
    """RealMLP's input transform: ``z = factor * (x - median)``, then ``z / sqrt(1 + (z/3)^2)``.

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_features)
    median, factor : torch.Tensor of shape (n_features,)
        From :meth:`TabularNet.fit_preprocessing`.

    Returns
    -------
    torch.Tensor
        Values in ``(-3, 3)``, close to the identity near the median.
    """
    # (z / 3) ** 2 overflows float32 beyond about 5e19, which would send z to 0; the clip
    # is 3 to float32 precision long before 1e18.
    z = (factor * (x - median)).clamp(-_Z_MAX, _Z_MAX)
    return z / torch.sqrt(1 + (z / 3) ** 2)


class _TabularInput(nn.Module):
    """Stage 0: check and flatten, scale robustly, embed, first hidden layer."""

    def __init__(self, owner, n_features, width, n_members, embedding, n_frequencies,
                 embedding_dim, frequency_scale, activation, dropout, batch_norm,
                 preprocessing, n_categories=(), max_one_hot=9,
                 category_dim=8):  # fmt: skip
        super().__init__()
        self.owner = owner
        self.n_features = n_features
        # The MLP's input check: (n_samples, n_features), or any shape of that width.
        self.flatten = _FlattenInput(n_features, owner)
        self.n_members = n_members
        self.preprocessing = preprocessing
        # The last len(n_categories) input columns are category codes, the rest numbers.
        self.n_numeric = n_features - len(n_categories)
        n_numeric = self.n_numeric
        self.register_buffer("median", torch.zeros(n_numeric))
        self.register_buffer("factor", torch.ones(n_numeric))
        # Learnable per-feature scale (RealMLP's "scaling layer"), with its larger rate.
        self.scale = nn.Parameter(torch.full((n_numeric,), 1.0 / _SCALE_LR_FACTOR))
        self.embedding = embedding
        if embedding == "periodic":
            # PBLD (periodic, bias, linear, DenseNet-style): per feature, cos(2 pi w x + b)
            # with w ~ N(0, sigma^2), then a per-feature linear map to embedding_dim - 1
            # values, concatenated with x itself.
            self.frequencies = nn.Parameter(frequency_scale * torch.randn(n_numeric, n_frequencies))
            self.phases = nn.Parameter(math.pi * (2 * torch.rand(n_numeric, n_frequencies) - 1))
            out = embedding_dim - 1
            bound = 1 / math.sqrt(n_frequencies)
            self.emb_weight = nn.Parameter(
                torch.empty(n_numeric, n_frequencies, out).uniform_(-bound, bound)
            )
            self.emb_bias = nn.Parameter(torch.empty(n_numeric, out).uniform_(-bound, bound))
            in_width = n_numeric * embedding_dim
        else:
            in_width = n_numeric
        if n_categories:
            self.categories = _CategoricalInput(n_categories, max_one_hot, category_dim)
            in_width += self.categories.width
        else:
            self.categories = None
        # TabM-mini: each member sees the (shared) first layer's input through its own
        # multiplicative adapter, initialised with random signs; everything after the
        # adapter up to the head is shared.
        if n_members > 1:
            signs = torch.randint(0, 2, (n_members, in_width)).float() * 2 - 1
            self.adapter = nn.Parameter(signs)
        else:
            self.register_parameter("adapter", None)
        self.linear = _PackedLinear(in_width, width)
        self.post = _post(activation, dropout, batch_norm, n_members * width)

    def _check(self, x):
        return self.flatten(x)

    def features(self, x):
        """The first layer's input, (N, in_width), before the member adapters."""
        x = self._check(x)
        codes = None
        if self.categories is not None:
            x, codes = x[:, : self.n_numeric], x[:, self.n_numeric :]
        if self.preprocessing == "robust":
            x = robust_scale_smooth_clip(x, self.median, self.factor)
        elif self.preprocessing == "standard":
            x = self.factor * (x - self.median)
        x = x * (_SCALE_LR_FACTOR * self.scale)
        if self.embedding == "periodic":
            v = torch.cos(2 * math.pi * x.unsqueeze(-1) * self.frequencies + self.phases)
            e = torch.einsum("nfk,fko->nfo", v, self.emb_weight) + self.emb_bias
            x = torch.cat([x.unsqueeze(-1), e], dim=-1).flatten(1)
        if codes is not None:
            x = torch.cat([x, self.categories(codes)], dim=1)
        return x

    def forward(self, x):
        x = self.features(x)
        if self.adapter is not None:
            # (N, k * in_width): member j's copy of the input, scaled by its adapter.
            x = (x.unsqueeze(1) * self.adapter).flatten(1)
        return self.post(self.linear(x, self.n_members))


def _check_category_codes(X, n_categories):
    """Refuse category columns (the last of ``X``) not holding codes 0 .. n + 1."""
    first = X.shape[1] - len(n_categories)
    for j, n in enumerate(n_categories):
        column = X[:, first + j]
        bad = ~np.isfinite(column) | (column != np.round(column)) | (column < 0) | (column > n + 1)
        if bad.any():
            raise ValueError(
                f"TabularNet reads its last {len(n_categories)} input columns as category "
                f"codes; column {first + j} ({n} categories) holds {float(column[bad][0])!r}, "
                f"where codes are whole numbers 0 to {n - 1} (then {n} for missing, {n + 1} "
                "for unseen). Encode the categories with ColumnEncoder (the estimator does, "
                "for module='tabular' or 'auto' on a DataFrame)."
            )


class _CategoricalInput(nn.Module):
    """Category codes to vectors: one-hot at low cardinality, learned embeddings above.

    Column ``j`` holds codes ``0 .. n_j - 1`` (its categories), ``n_j`` (missing) and
    ``n_j + 1`` (a category not seen in ``fit``). A column with at most ``max_one_hot``
    values (missing counted) is one-hot encoded, ``n_j + 1`` wide; a larger one gets
    ``category_dim`` learned values. An unseen category maps to zeros in both, so it
    adds nothing to the first layer: the network falls back on the other columns.

    Every column is encoded in one operation, not one per column (a table of hundreds
    of categorical columns would otherwise spend its time in Python): the one-hot slots
    of all columns lie side by side in one output, and the embedded columns share one
    table, ``embedding``, in which column ``j`` owns the rows ``offset_j .. offset_j +
    n_j`` (its categories and missing); its last row is the zero row of every unseen
    code (the padding row: no gradient). Each column's rows start as those of an
    ``nn.Embedding(n_j + 2, category_dim)`` of its own, drawn in column order.
    """

    def __init__(self, n_categories, max_one_hot, category_dim):
        super().__init__()
        self.n_categories = tuple(int(n) for n in n_categories)
        self.one_hot = [j for j, n in enumerate(self.n_categories) if n + 1 <= max_one_hot]
        self.embedded = [j for j, n in enumerate(self.n_categories) if n + 1 > max_one_hot]
        self._register_columns("one_hot", self.one_hot)
        self._register_columns("embedded", self.embedded)
        self.one_hot_width = sum(self.n_categories[j] + 1 for j in self.one_hot)
        rows = sum(self.n_categories[j] + 1 for j in self.embedded)
        self.embedding = None
        if self.embedded:
            weight = torch.zeros(rows + 1, category_dim)
            for j, offset in zip(self.embedded, self.embedded_offsets.tolist()):
                n = self.n_categories[j]
                # nn.Embedding's initialisation, column by column (its unseen row dropped).
                drawn = torch.empty(n + 2, category_dim).normal_()
                weight[offset : offset + n + 1] = drawn[: n + 1]
            self.embedding = nn.Embedding(rows + 1, category_dim, padding_idx=rows, _weight=weight)
        self.width = self.one_hot_width + category_dim * len(self.embedded)

    def _register_columns(self, name, columns):
        """Buffers ``{name}_index``, ``{name}_n`` and ``{name}_offsets`` of ``columns``:
        their positions among the codes, their category counts and where each one's
        slots (or rows) start."""
        n = torch.tensor([self.n_categories[j] for j in columns], dtype=torch.long)
        offsets = torch.cumsum(n + 1, 0) - (n + 1)
        self.register_buffer(f"{name}_index", torch.tensor(columns, dtype=torch.long))
        self.register_buffer(f"{name}_n", n)
        self.register_buffer(f"{name}_offsets", offsets)

    def forward(self, codes):
        codes = codes.long()
        parts = []
        if self.one_hot:
            column = codes[:, self.one_hot_index]
            # Slots 0 .. n of each column: the categories and missing. Any other code
            # (unseen) goes to a spare slot past the end, which is cut off: all 0.
            spare = self.one_hot_width
            seen = (column >= 0) & (column <= self.one_hot_n)
            slot = torch.where(seen, column + self.one_hot_offsets, spare)
            one_hot = torch.zeros(len(codes), spare + 1, dtype=torch.float32, device=codes.device)
            parts.append(one_hot.scatter_(1, slot, 1.0)[:, :spare])
        if self.embedded:
            column = codes[:, self.embedded_index]
            seen = (column >= 0) & (column <= self.embedded_n)
            row = torch.where(seen, column + self.embedded_offsets, self.embedding.padding_idx)
            parts.append(self.embedding(row).flatten(1))
        return torch.cat(parts, dim=1)

    def extra_repr(self):
        return f"n_categories={self.n_categories}, one_hot={self.one_hot}"


class _PackedLinear(nn.Module):
    """A linear layer shared by ``k`` members packed side by side in the feature axis.

    ``(N, k * d_in) -> (N, k * d_out)``; RealMLP's bias parametrisation (under Adam, the
    bias moves at a tenth of the weights' rate; under SGD, a hundredth).
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(self.in_features)
        with torch.no_grad():
            self.bias.uniform_(-bound, bound).div_(_BIAS_LR_FACTOR)

    def forward(self, x, n_members=1):
        n = x.shape[0]
        x = x.reshape(n * n_members, self.in_features)
        out = nn.functional.linear(x, self.weight, _BIAS_LR_FACTOR * self.bias)
        return out.reshape(n, n_members * self.out_features)


class _Hidden(nn.Module):
    def __init__(self, in_width, width, n_members, activation, dropout, batch_norm):
        super().__init__()
        self.n_members = n_members
        self.linear = _PackedLinear(in_width, width)
        self.post = _post(activation, dropout, batch_norm, n_members * width)

    def forward(self, x):
        return self.post(self.linear(x, self.n_members))


def _post(activation, dropout, batch_norm=False, width=None):
    layers = [nn.BatchNorm1d(width)] if batch_norm else []
    layers.append(lookup("activation", activation)())
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class _EnsembleHead(nn.Module):
    """``k`` heads on the packed member features; the output is their mean logit.

    ``(N, k * d) -> (N, C)``. With the cosine head each member gives cosines, so the mean
    stays in ``[-1, 1]`` as the cosine losses expect.
    """

    def __init__(self, kind, in_features, n_classes, n_members):
        super().__init__()
        self.n_members = n_members
        self.in_features = in_features
        head = lookup("head", kind)
        self.members = nn.ModuleList(head(in_features, n_classes) for _ in range(n_members))

    def member_logits(self, h):
        """Each member's logits, ``(k, N, C)``: the estimator trains each on its loss."""
        parts = h.reshape(h.shape[0], self.n_members, self.in_features).unbind(1)
        return torch.stack([m(p) for m, p in zip(self.members, parts)])

    def forward(self, h):
        return self.member_logits(h).mean(0)


@register("module", "tabular")
class TabularNet(nn.Module):
    """Tabular backbone: RealMLP-style preprocessing and embeddings, TabM-style members.

    The input goes through, in ``stages[0]``: robust scaling fitted on the training
    inputs (median and inter-quartile range, min-max where that range is 0, constant
    features set to 0) with smooth clipping ``z / sqrt(1 + (z/3)^2)``
    (``robust_scale_smooth_clip``), a learnable per-feature scale (six times the rate
    of the weights under Adam, as RealMLP's), optional PBLD periodic embeddings of each
    feature (``embedding="periodic"``), and the first hidden layer (linear, batch norm,
    activation, dropout). Categorical columns (``n_categories``) join the numbers
    before the first layer, one-hot encoded or embedded. Unlike RealMLP's, the scale
    acts on the numbers only (not on the categories' columns) and before the periodic
    embedding (it scales the frequencies), whose parameters train at the weights' rate
    (RealMLP's at a tenth). Each further hidden layer is a stage; the head maps the last one to
    logits.
    With ``n_members > 1`` the network is a packed ensemble in the manner of TabM-mini:
    each member sees the input through its own multiplicative adapter (random signs),
    shares every hidden layer, and has its own head. As in TabM, each member is trained
    on its own loss (the estimator reads ``head.member_logits(h)``, ``(k, N, C)``, and
    descends the mean of the members' losses); the module predicts with the members'
    mean logit. The penultimate feature is the members' features side by side,
    ``(N, k * width)``.

    ``fit_preprocessing(X)`` learns the scaling; the estimator calls it at each fit, so
    no scaler is needed in front. Until it is called the scaling is the identity
    (before the clipping).

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_classes : int
        Number of outputs.
    hidden_sizes : tuple of int, default=(256, 256)
        Widths of the hidden layers (at least one).
    activation : {"relu", "gelu", "selu", "silu", "tanh", "leaky_relu"}, default="relu"
    dropout : float in [0, 1), default=0.15
        RealMLP's value. On the real-feature tables of ``benchmarks/tabular_lt.py`` it
        tied no dropout on the long-tailed multi-class group and did better on the
        native binary and mixed-type groups; SELU instead of ReLU lost on the first.
    embedding : {"none", "periodic"}, default="none"
        ``"periodic"``: RealMLP's PBLD embedding; on the tables of
        ``benchmarks/tabular_lt.py`` it did not beat the plain input and costs time.
    n_frequencies : int, default=16
        Frequencies per feature of the periodic embedding.
    embedding_dim : int, default=4
        Values per feature after the embedding (the raw value and ``embedding_dim - 1``
        learned ones).
    frequency_scale : float, default=0.1
        Standard deviation of the initial frequencies.
    n_members : int, default=1
        Members of the packed ensemble, each trained on its own loss. Each step
        computes about ``n_members`` times as much (on the benchmark's small tables, 4
        members fit in about 2.3 times the time of one, 8 in about 3 times). On the
        tables of ``benchmarks/tabular_lt.py`` neither 4 nor 8 members beat one across
        the groups (benchmarks/RESULTS.md).
    batch_norm : bool, default=True
        ``BatchNorm1d`` after each hidden linear layer (the benchmark's largest gain on
        tables with very small tail classes).
    preprocessing : {"robust", "standard", "none"}, default="robust"
        ``"robust"``: median / inter-quartile range with smooth clipping;
        ``"standard"``: mean / standard deviation; ``"none"``: raw inputs.
    head : {"linear", "cosine"}, default="linear"
    n_categories : tuple of int, default=()
        The number of categories of each categorical column. These columns come last
        in the input, ``n_features - len(n_categories)`` numbers first, as integer codes:
        ``0 .. n - 1`` a category, ``n`` missing, ``n + 1`` a category not seen in
        ``fit`` (the encoding of :class:`~sklearn_imbalance_dl.modules.ColumnEncoder`,
        which the estimator fits on a DataFrame and passes here). The scaling and the
        periodic embedding apply to the numbers only.
    max_one_hot : int, default=9
        A categorical column with at most this many values (its categories and
        missing) is one-hot encoded, so that the first layer learns one vector per
        category; a larger one gets a learned embedding of ``category_dim`` values,
        which keeps the first layer small. An unseen category is a vector of zeros in
        both. RealMLP's defaults (9 and 8).
    category_dim : int, default=8
        Size of the learned embedding of a column with more than ``max_one_hot``
        values.

    Attributes
    ----------
    stages : nn.ModuleList
    head : nn.Module
    feature_dim : int
        Size of the penultimate feature, ``n_members * hidden_sizes[-1]``.

    References
    ----------
    D. Holzmüller, L. Grinsztajn, I. Steinwart. Better by Default: Strong Pre-Tuned MLPs
    and Boosted Trees on Tabular Data. NeurIPS 2024.
    Y. Gorishniy, A. Kotelnikov, A. Babenko. TabM: Advancing Tabular Deep Learning with
    Parameter-Efficient Ensembling. ICLR 2025.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.modules import TabularNet, forward_staged
    >>> net = TabularNet(5, 3, hidden_sizes=(32, 32), n_members=2)
    >>> net.fit_preprocessing(torch.randn(100, 5))
    >>> logits, h = forward_staged(net.eval(), torch.randn(4, 5))
    >>> logits.shape, h.shape
    (torch.Size([4, 3]), torch.Size([4, 64]))
    """

    _parameter_constraints = {
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 1, None, closed="left")],
        "hidden_sizes": [TupleOf(Interval(Integral, 1, None, closed="left"), min_length=1)],
        "activation": [options("activation")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "embedding": [StrOptions({"periodic", "none"})],
        "n_frequencies": [Interval(Integral, 1, None, closed="left")],
        "embedding_dim": [Interval(Integral, 2, None, closed="left")],
        "frequency_scale": [Interval(Real, 0, None, closed="neither")],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "head": [options("head")],
        "batch_norm": ["boolean"],
        "preprocessing": [StrOptions({"robust", "standard", "none"})],
        "n_categories": [TupleOf(Interval(Integral, 0, None, closed="left"))],
        "max_one_hot": [Interval(Integral, 1, None, closed="left")],
        "category_dim": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        *,
        hidden_sizes=(256, 256),
        activation: str = "relu",
        dropout: float = 0.15,
        embedding: str = "none",
        n_frequencies: int = 16,
        embedding_dim: int = 4,
        frequency_scale: float = 0.1,
        n_members: int = 1,
        batch_norm: bool = True,
        preprocessing: str = "robust",
        head: str = "linear",
        n_categories=(),
        max_one_hot: int = 9,
        category_dim: int = 8,
    ):
        super().__init__()
        params = dict(
            n_features=n_features,
            n_classes=n_classes,
            hidden_sizes=hidden_sizes,
            activation=activation,
            dropout=dropout,
            embedding=embedding,
            n_frequencies=n_frequencies,
            embedding_dim=embedding_dim,
            frequency_scale=frequency_scale,
            n_members=n_members,
            batch_norm=batch_norm,
            preprocessing=preprocessing,
            head=head,
            n_categories=n_categories,
            max_one_hot=max_one_hot,
            category_dim=category_dim,
        )
        check_component_params(self, params)
        if len(n_categories) > n_features:
            raise ValueError(
                f"TabularNet has n_categories for {len(n_categories)} columns but "
                f"n_features={n_features}: the categorical columns are part of the input."
            )
        self.n_features = int(n_features)
        self.n_classes = int(n_classes)
        self.hidden_sizes = tuple(int(s) for s in hidden_sizes)
        self.activation = activation
        self.dropout = float(dropout)
        self.embedding = embedding
        self.n_frequencies = int(n_frequencies)
        self.embedding_dim = int(embedding_dim)
        self.frequency_scale = float(frequency_scale)
        self.n_members = int(n_members)
        self.batch_norm = bool(batch_norm)
        self.preprocessing = preprocessing
        self.head_kind = head
        self.n_categories = tuple(int(n) for n in n_categories)
        self.max_one_hot = int(max_one_hot)
        self.category_dim = int(category_dim)

        k = self.n_members
        sizes = self.hidden_sizes
        stages = [
            _TabularInput(
                type(self).__name__,
                self.n_features,
                sizes[0],
                k,
                embedding,
                self.n_frequencies,
                self.embedding_dim,
                self.frequency_scale,
                activation,
                self.dropout,
                batch_norm,
                preprocessing,
                self.n_categories,
                self.max_one_hot,
                self.category_dim,
            )  # fmt: skip
        ]
        for prev, size in zip(sizes[:-1], sizes[1:]):
            stages.append(_Hidden(prev, size, k, activation, self.dropout, batch_norm))
        self.stages = nn.ModuleList(stages)
        self.feature_dim = k * sizes[-1]
        if k == 1:
            self.head = lookup("head", head)(sizes[-1], self.n_classes)
        else:
            self.head = _EnsembleHead(head, sizes[-1], self.n_classes, k)

    @torch.no_grad()
    def fit_preprocessing(self, X):
        """Learn the robust scaling from the training inputs (float32 tensor, CPU).

        ``median`` and ``factor = 1 / (q75 - q25)``; where the inter-quartile range is
        0, ``factor = 1 / (0.5 * (max - min))``; a constant feature gets ``factor = 0``.
        A factor beyond float32's range (a feature spread over subnormal numbers, below
        about 3e-39) is float32's largest, so that the inputs stay finite.
        Only the numeric columns are scaled (the category codes are not).

        Parameters
        ----------
        X : torch.Tensor of shape (n_samples, n_features)
            The training inputs.
        """
        stage = self.stages[0]
        # numpy: torch.quantile refuses inputs of more than 2**24 values.
        x = stage._check(torch.as_tensor(X, dtype=torch.float32)).numpy()
        _check_category_codes(x, self.n_categories)
        x = x[:, : stage.n_numeric]
        if x.shape[1] == 0 or x.shape[0] == 0:
            return
        if not np.isfinite(x).all():
            raise ValueError(
                "TabularNet.fit_preprocessing got NaN or infinite inputs, which would make "
                "every prediction NaN: impute them first (ColumnEncoder does, and the "
                "estimator uses it)."
            )
        if self.preprocessing == "standard":
            x = x.astype(np.float64)
            std = x.std(0)
            factor = np.divide(1.0, std, out=np.zeros_like(std), where=std > 0)
            factor = np.minimum(factor, _FLOAT32_MAX)
            stage.median.copy_(torch.from_numpy(x.mean(0)).float())
            stage.factor.copy_(torch.from_numpy(factor).float())
            return
        # Column by column, in float64: a copy of one column at a time (np.quantile along
        # an axis would sort a float64 copy of the whole table).
        q25, median, q75, low, high = np.empty((5, x.shape[1]))
        for j in range(x.shape[1]):
            column = x[:, j].astype(np.float64)
            q25[j], median[j], q75[j] = np.quantile(column, [0.25, 0.5, 0.75])
            low[j], high[j] = column.min(), column.max()
        spread = q75 - q25
        half_range = 0.5 * (high - low)
        spread = np.where(spread == 0, half_range, spread)
        factor = np.divide(1.0, spread, out=np.zeros_like(spread), where=spread != 0)
        factor = np.minimum(factor, _FLOAT32_MAX)
        stage.median.copy_(torch.from_numpy(median).float())
        stage.factor.copy_(torch.from_numpy(factor).float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for stage in self.stages:
            x = stage(x)
        return self.head(x)
