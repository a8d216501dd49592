"""The paper's fourth condition: a found topology with *individually trained* weights.

A trained network is a genome plus one weight per enabled connection. Two trainers:

- control tasks (episode scores, no gradient): **PGPE** (Sehnke et al. 2010, the method the
  authors' own weight tuner offers), an evolution strategy over the weight vector. Per
  generation, ``m`` perturbations ``eps_i ~ N(0, diag(sigma^2))`` are drawn and the ``2 m``
  candidates ``mu +- eps_i`` are scored on the same fresh initial states (common random numbers,
  as in the search); with fitness shaped to centred ranks ``f`` in [-1/2, 1/2]:

      g_mu    = (1/m) sum_i eps_i (f+_i - f-_i) / 2                  (Adam ascent on mu)
      g_sigma = (1/m) sum_i ((eps_i^2 - sigma^2) / sigma) ((f+_i + f-_i) / 2 - mean f)
      sigma  += clip(lr_sigma g_sigma, -0.2 sigma, +0.2 sigma)

  The Adam step size is ``lr`` throughout (``lr_schedule: constant``) or, with ``cosine``,
  ``lr_t = lr (1 + cos(pi (t - 1) / T)) / 2`` at generation ``t`` of a run of ``T``
  generations (``horizon``: the run's generations when it starts, kept by its checkpoint), so
  that ``mu`` settles instead of jittering by about ``lr`` per generation around the optimum.

  ``mu`` starts at the tuned shared weight (every connection ``w``), where the shared-weight
  network already works. The result is ``mu``. The state (``mu``, ``sigma``, Adam moments, the
  generator) is checkpointed as ``.npz`` + JSON and resumes bit for bit.

  Or **CMA-ES** (``method: cma``, the ``cma`` package; :class:`CMAState`), which the authors'
  WANNTool recommends for swingup (popsize 32, ``sigma0`` 0.5): the same candidates' scores
  (common initial states, mean over ``episodes``), the same start and result (the mean).

  Either way the result is chosen by **validation**, as the authors' tuner (estool) keeps its
  best parameters: every ``validate_every`` generations (25) the current mean is scored on
  ``validation_episodes`` (100) fixed initial states drawn once from a stream of their own
  (:func:`validation_rng`), and the run's result is the mean with the best validation score.
  The validation states are neither training's nor ``wann eval``'s. (The training states come
  from ``default_rng(seed)``, the generator ``wann eval`` also starts from, so with the same
  seed the first generations' states repeat eval's: with CMA-ES, generations 1-7 draw exactly
  eval's first 100; PGPE's draws are offset by its perturbations. A few generations in
  thousands; kept so that the shipped runs stay reproducible.) ``validate_every: 0``
  returns the last mean (the behaviour before validation existed, and of older checkpoints).
- classification (MNIST-256): gradient descent through the graph
  (:class:`~scratchnn.wann.networks.backprop.GenomeNet` with :func:`scratchnn.training.fit` and
  Adam), best epoch by validation accuracy on 10,000 held-out training images, the test set touched
  once.

Files: the genome JSON gains ``"weights": [[src, dst, w], ...]`` (node ids); the reference's
champion CSV stores the weights in its matrix (as the authors' tuned ``swing.out`` does).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.sources import atomic_write
from ..errors import DataError, ScratchnnError
from ..fileio import read_npz
from .networks.genome import Genome, express
from .networks.packed import Packed, instances, pack
from .tasks import EpisodeTask

if TYPE_CHECKING:
    from ..training import FitResult

# ---------------------------------------------------------------------------------------------
# scoring candidate weight vectors on episodes


def episode_returns(
    task: EpisodeTask, packed: Packed, candidates: np.ndarray, states: np.ndarray | None
) -> np.ndarray:
    """(C, S) score of candidate weight vector ``c`` (rows of ``candidates`` (C, E)) from each
    of the ``S`` initial states (network 0 of ``packed``)."""
    C = len(candidates)
    S = 1 if states is None else len(states)
    wflat = np.repeat(candidates, S, axis=0)
    inst = instances(packed, np.zeros(C * S, np.int64), wflat)
    if states is None:
        st = None
    else:  # (S,) episode seeds (Gymnasium tasks) or (S, d) initial states, once per candidate
        states = np.asarray(states)
        st = np.tile(states, C) if states.ndim == 1 else np.tile(states, (C, 1))
    return task.episode_scores(packed, inst, st).reshape(C, S)


def centred_ranks(f: np.ndarray) -> np.ndarray:
    """Ranks of ``f`` (any shape) mapped to [-1/2, 1/2] (ties broken by position)."""
    flat = f.ravel()
    ranks = np.empty(len(flat))
    ranks[np.argsort(flat, kind="stable")] = np.arange(len(flat))
    return (ranks / max(len(flat) - 1, 1) - 0.5).reshape(f.shape)


# ---------------------------------------------------------------------------------------------
# PGPE


#: values of ``ESConfig.lr_schedule``
LR_SCHEDULES = ("constant", "cosine")


def scheduled_lr(lr: float, schedule: str, t: int, horizon: int) -> float:
    """The Adam step size at generation ``t`` (1-based) of ``horizon`` (module docstring)."""
    if schedule == "cosine":
        return lr * 0.5 * (1.0 + np.cos(np.pi * min(t - 1, horizon) / max(horizon, 1)))
    return lr


#: values of ``ESConfig.method``
METHODS = ("pgpe", "cma")


@dataclass
class ESConfig:
    """Settings of the evolution strategy that trains a control task's weights (either
    method: ``2 pairs`` candidates per generation, each scored on the same ``episodes``
    fresh initial states; ``sigma0`` the initial spread of every weight)."""

    pairs: int = 32  # m: 2 m candidates per generation
    episodes: int = 16  # initial states per generation, shared by all candidates
    sigma0: float = 0.1
    lr: float = 0.02  # PGPE: Adam step on mu
    lr_sigma: float = 0.1  # PGPE
    max_sigma_change: float = 0.2  # PGPE
    seed: int = 0
    lr_schedule: str = "constant"  # PGPE: or "cosine" (module docstring)
    horizon: int = 0  # cosine: generations of the schedule (0: the run's, set when it starts)
    method: str = "pgpe"  # or "cma" (CMA-ES, module docstring)
    validate_every: int = 25  # score the mean on the validation states every K generations (0: off)
    validation_episodes: int = 100  # fixed initial states, drawn from their own stream

    def check(self) -> None:
        bad = [
            f"{k} must be > 0"
            for k in ("pairs", "episodes", "sigma0", "lr", "lr_sigma", "max_sigma_change",
                      "validation_episodes")
            if not getattr(self, k) > 0
        ]  # fmt: skip
        if self.horizon < 0:
            bad.append("horizon must be >= 0")
        if self.validate_every < 0:
            bad.append("validate_every must be >= 0 (0: no validation, the last mean)")
        if self.lr_schedule not in LR_SCHEDULES:
            bad.append(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}")
        if self.method not in METHODS:
            bad.append(f"method must be one of {', '.join(METHODS)}")
        elif self.method == "cma" and self.lr_schedule != "constant":
            bad.append("lr_schedule applies to pgpe only (CMA-ES has no step size to decay)")
        if bad:
            raise ScratchnnError("weight training: " + "; ".join(bad))


@dataclass
class Best:
    """The mean with the highest validation score so far (``mu`` None before the first)."""

    mu: np.ndarray | None = None
    score: float = -np.inf
    generation: int = 0

    def header(self) -> dict:
        return {"score": self.score if self.mu is not None else None, "generation": self.generation}

    def array(self) -> np.ndarray:
        """``mu`` for the checkpoint (empty before the first validation)."""
        return self.mu if self.mu is not None else np.zeros(0)

    @staticmethod
    def read(header: dict, z: Any, n_weights: int) -> Best:
        """From a checkpoint (one written before validation existed has none)."""
        h = header.get("best")
        if h is None or h["score"] is None:
            return Best()
        mu = np.array(z["best_mu"], float)
        if mu.shape != (n_weights,):
            raise ValueError(f"best_mu of shape {mu.shape} for {n_weights} weights")
        return Best(mu, float(h["score"]), int(h["generation"]))


def _header(state: Any, **extra: object) -> dict:
    """The JSON header both methods' checkpoints share (plus ``extra``)."""
    return {
        "config": state.config.__dict__,
        "generation": state.generation,
        "history": state.history,
        "rng": state.rng.bit_generator.state,
        "best": state.best.header(),
        **extra,
    }


def _write_checkpoint(path: Path, header: dict, **arrays: np.ndarray) -> None:
    """``.npz`` of ``arrays`` plus the JSON ``header``, written atomically."""
    buf = io.BytesIO()
    np.savez(buf, header=np.frombuffer(json.dumps(header).encode(), np.uint8), **arrays)
    atomic_write(Path(path), buf.getvalue())


@contextmanager
def _reading_checkpoint(path: Path) -> Iterator[None]:
    """Turn what a missing or damaged checkpoint raises into a :class:`ScratchnnError`."""
    try:
        yield
    except FileNotFoundError:
        raise ScratchnnError(f"no weight-training checkpoint at {path}") from None
    except (
        DataError, KeyError, ValueError, TypeError, AttributeError, OverflowError,
        ZeroDivisionError, IndexError,
    ) as exc:  # fmt: skip
        raise ScratchnnError(
            f"weight-training checkpoint {path} is damaged ({type(exc).__name__}: {exc}); "
            "delete it to start again"
        ) from exc


def _read_header(path: Path) -> tuple[dict, Any]:
    z = read_npz(path)
    return json.loads(z["header"].tobytes().decode()), z


def _config(header: dict) -> ESConfig:
    """The run's settings; a checkpoint from before validation existed resumes without it."""
    return ESConfig(**{"validate_every": 0, **header["config"]})


@dataclass
class PGPEState:
    config: ESConfig
    mu: np.ndarray
    sigma: np.ndarray
    m: np.ndarray  # Adam first moment
    v: np.ndarray  # Adam second moment
    rng: np.random.Generator
    generation: int = 0
    history: list[dict] = field(default_factory=list)  # per generation: mean/best/sigma/seconds
    best: Best = field(default_factory=Best)

    @staticmethod
    def start(w0: np.ndarray, config: ESConfig) -> PGPEState:
        n = len(w0)
        return PGPEState(
            config, np.array(w0, float), np.full(n, config.sigma0), np.zeros(n), np.zeros(n),
            np.random.default_rng(config.seed),
        )  # fmt: skip

    def save(self, path: Path) -> None:
        """Checkpoint as a ``.npz`` (arrays + a JSON header), written atomically."""
        _write_checkpoint(path, _header(self), mu=self.mu, sigma=self.sigma, m=self.m, v=self.v,
                          best_mu=self.best.array())  # fmt: skip

    @staticmethod
    def load(path: Path) -> PGPEState:
        with _reading_checkpoint(path):
            h, z = _read_header(path)
            arrays = {k: z[k] for k in ("mu", "sigma", "m", "v")}
            rng = np.random.default_rng()
            rng.bit_generator.state = h["rng"]
            return PGPEState(
                _config(h), **arrays, rng=rng, generation=int(h["generation"]),
                history=list(h["history"]), best=Best.read(h, z, len(arrays["mu"])),
            )  # fmt: skip


def pgpe_generation(
    state: PGPEState, score: Callable[[np.ndarray, np.random.Generator], np.ndarray]
) -> dict:
    """One PGPE generation (module docstring). ``score(candidates (C, E), rng)`` returns the
    (C,) mean scores of the candidates on initial states drawn once from ``rng`` for all of
    them. Returns this generation's statistics."""
    cfg, t0 = state.config, time.perf_counter()
    eps = state.rng.standard_normal((cfg.pairs, len(state.mu))) * state.sigma
    cand = np.concatenate([state.mu + eps, state.mu - eps])
    raw = score(cand, state.rng)
    f = centred_ranks(raw)
    fp, fm = f[: cfg.pairs], f[cfg.pairs :]
    g_mu = eps.T @ (fp - fm) / (2 * cfg.pairs)
    state.generation += 1
    b1, b2, t = 0.9, 0.999, state.generation
    state.m = b1 * state.m + (1 - b1) * g_mu
    state.v = b2 * state.v + (1 - b2) * g_mu * g_mu
    lr = scheduled_lr(cfg.lr, cfg.lr_schedule, t, cfg.horizon)
    step = lr * (state.m / (1 - b1**t)) / (np.sqrt(state.v / (1 - b2**t)) + 1e-8)
    s_grad = ((eps * eps - state.sigma**2) / state.sigma).T @ ((fp + fm) / 2 - f.mean())
    change = np.clip(cfg.lr_sigma * s_grad / cfg.pairs, -cfg.max_sigma_change * state.sigma,
                     cfg.max_sigma_change * state.sigma)  # fmt: skip
    state.mu = state.mu + step
    state.sigma = state.sigma + change
    stats = {
        "generation": state.generation,
        "mean": float(raw.mean()),
        "best": float(raw.max()),
        "sigma": float(state.sigma.mean()),
        "lr": float(lr),
        "seconds": time.perf_counter() - t0,
    }
    state.history.append(stats)
    return stats


class CMAState:
    """CMA-ES over the weight vector: Hansen's ``cma`` package (the method the authors'
    WANNTool recommends for swingup), minimising minus the candidates' mean scores.

    Per generation, ``lambda = 2 pairs`` candidates ``x_k = m + sigma B D z_k`` with
    ``z_k ~ N(0, I)`` drawn from a generator of ours (``seed``), scored on common fresh initial
    states as PGPE's; ``tell`` updates ``m``, ``sigma`` and ``C = B D^2 B^T`` (Hansen 2016).
    The result is the mean ``m``, which starts at the shared weight with ``sigma = sigma0``.

    The ``cma`` object is not written to disk (it only serialises by pickle). The checkpoint
    holds the start ``x0`` and every generation's (lambda,) scores; :meth:`load` rebuilds the
    strategy and replays ``ask`` / ``tell`` through them (about 1 ms a generation), which gives
    the same state bit for bit with the same ``cma`` version (the version is checked)."""

    def __init__(self, config: ESConfig, x0: np.ndarray) -> None:
        import cma

        self.config, self.x0 = config, np.array(x0, float)
        self.rng = np.random.default_rng(config.seed)  # initial states, as PGPE's
        self.generation, self.history, self.best = 0, [], Best()
        self.scores: list[np.ndarray] = []
        sampler = np.random.default_rng([config.seed, 1])
        self.es = cma.CMAEvolutionStrategy(
            self.x0, config.sigma0,
            {"popsize": 2 * config.pairs, "randn": lambda *shape: sampler.standard_normal(shape),
             "seed": np.nan, "verbose": -9},
        )  # fmt: skip

    @property
    def mu(self) -> np.ndarray:
        """(E,) the distribution's mean: the trained weights."""
        return np.array(self.es.mean, float)

    def generation_step(
        self, score: Callable[[np.ndarray, np.random.Generator], np.ndarray]
    ) -> dict:
        """One generation; ``score`` as in :func:`pgpe_generation`."""
        t0 = time.perf_counter()
        cand = np.asarray(self.es.ask())
        raw = np.asarray(score(cand, self.rng), float)
        self._tell(cand, raw)
        stats = {
            "generation": self.generation,
            "mean": float(raw.mean()),
            "best": float(raw.max()),
            "sigma": float(np.mean(self.es.stds)),
            "seconds": time.perf_counter() - t0,
        }
        self.history.append(stats)
        return stats

    def _tell(self, cand: np.ndarray, raw: np.ndarray) -> None:
        self.es.tell(list(cand), list(-raw))
        self.scores.append(raw)
        self.generation += 1

    def save(self, path: Path) -> None:
        """Checkpoint as a ``.npz`` (``x0``, the (G, lambda) scores, a JSON header), atomically."""
        import cma

        lam = 2 * self.config.pairs
        scores = np.array(self.scores, float).reshape(len(self.scores), lam)
        _write_checkpoint(path, _header(self, cma_version=cma.__version__), x0=self.x0,
                          scores=scores, best_mu=self.best.array())  # fmt: skip

    @staticmethod
    def load(path: Path) -> CMAState:
        import cma

        with _reading_checkpoint(path):
            h, z = _read_header(path)
            config, x0, scores = _config(h), z["x0"], z["scores"]
            config.check()
            written = h["cma_version"]
            rng_state, history, best = h["rng"], list(h["history"]), Best.read(h, z, len(x0))
            if scores.shape != (int(h["generation"]), 2 * config.pairs) or x0.ndim != 1:
                raise ValueError(f"x0 of shape {x0.shape}, scores of shape {scores.shape}")
        if written != cma.__version__:
            raise ScratchnnError(
                f"checkpoint {path} was written with cma {written} and cma {cma.__version__} is "
                f"installed: its replay would not give the same state. Install cma=={written} "
                "to resume, or train a new stage from its trained.json"
            )
        with _reading_checkpoint(path):  # what the replay meets in a damaged file
            state = CMAState(config, x0)
            for raw in scores:
                state._tell(np.asarray(state.es.ask()), np.asarray(raw, float))
            state.rng.bit_generator.state = rng_state
            state.history, state.best = history, best
            return state


def _ignored_settings(saved: ESConfig, given: ESConfig) -> str:
    """The settings of ``given`` that differ from a resumed checkpoint's ``saved`` ones, as
    ``"pairs 8 (checkpoint: 16), ..."`` (``horizon`` is set by the run, not by the user)."""
    return ", ".join(
        f"{k} {getattr(given, k)} (checkpoint: {v})"
        for k, v in saved.__dict__.items()
        if k != "horizon" and getattr(given, k) != v
    )


def load_state(path: Path) -> PGPEState | CMAState:
    """A weight-training checkpoint of either method (its header's ``config.method``)."""
    with _reading_checkpoint(path):
        method = _read_header(path)[0]["config"].get("method")
    return CMAState.load(path) if method == "cma" else PGPEState.load(path)


def validation_rng(seed: int) -> np.random.Generator:
    """The stream of the validation states (fixed per run, apart from the training states and
    from ``wann eval``'s, which come from ``default_rng(seed)``)."""
    return np.random.default_rng([seed, 2])


def trained_weights(state: PGPEState | CMAState) -> np.ndarray:
    """The result of a run: the mean with the best validation score, or the last mean when
    the run did not validate."""
    return state.best.mu if state.best.mu is not None else state.mu


def train_episode_weights(
    task: EpisodeTask,
    genome: Genome,
    w0: float | np.ndarray,
    config: ESConfig,
    generations: int,
    checkpoint: Path | None = None,
    resume: bool = False,
    time_limit: float | None = None,
    log: Callable[[str], None] = print,
    checkpoint_every: int = 10,
) -> PGPEState | CMAState:
    """Train ``genome``'s weights with PGPE or CMA-ES (``config.method``) until
    ``generations`` (or ``time_limit`` seconds of this call), starting at ``w0`` (a shared
    weight, or a vector in packed edge order); checkpointed to ``checkpoint`` every
    ``checkpoint_every`` generations and at the end. A resumed run keeps its checkpoint's
    settings."""
    config.check()
    packed = pack([express(genome)])
    E = packed.n_edges(0)
    if resume and checkpoint is not None and Path(checkpoint).exists():
        state = load_state(Path(checkpoint))
        if len(state.mu) != E:
            raise ScratchnnError(
                f"checkpoint {checkpoint} holds {len(state.mu)} weights; this network has {E}"
            )
        h = state.config.horizon
        if state.config.lr_schedule == "cosine" and generations > h:
            raise ScratchnnError(
                f"checkpoint {checkpoint}: its cosine schedule ends at generation {h} (step size "
                f"0 after it), so it cannot go on to {generations}; train a new stage from its "
                "trained.json instead"
            )
        log(f"resuming weight training ({state.config.method}) at generation {state.generation}")
        ignored = _ignored_settings(state.config, config)
        if ignored:
            log(
                f"note: --resume keeps the checkpoint's settings, so these of this command are "
                f"not used: {ignored} (start a new run in another --out to change them)"
            )
    else:
        w_start = np.broadcast_to(np.asarray(w0, float), (E,))
        if config.lr_schedule == "cosine" and config.horizon == 0:
            config = replace(config, horizon=generations)
        state = (CMAState(config, w_start) if config.method == "cma"
                 else PGPEState.start(w_start, config))  # fmt: skip

    def score(cand: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        states = task.episode_states(state.config.episodes, rng)
        return episode_returns(task, packed, cand, states).mean(axis=1)

    cfg = state.config
    val_states = (task.episode_states(cfg.validation_episodes, validation_rng(cfg.seed))
                  if cfg.validate_every else None)  # fmt: skip
    t_start = time.perf_counter()
    while state.generation < generations:
        if isinstance(state, CMAState):
            s = state.generation_step(score)
        else:
            s = pgpe_generation(state, score)
        t = s["generation"]
        if cfg.validate_every and (t % cfg.validate_every == 0 or t == generations):
            mu = np.array(state.mu)
            s["validation"] = float(episode_returns(task, packed, mu[None], val_states).mean())
            if s["validation"] > state.best.score:
                state.best = Best(mu, s["validation"], t)
        if t % 10 == 0 or t == generations or "validation" in s:
            log(
                f"gen {t:5d}  mean {s['mean']:9.2f}  best {s['best']:9.2f}  "
                f"sigma {s['sigma']:.4f}  {s['seconds']:.2f} s"
                + (f"  validation {s['validation']:.2f}" if "validation" in s else "")
            )
        if checkpoint is not None and state.generation % checkpoint_every == 0:
            state.save(Path(checkpoint))
        if time_limit is not None and time.perf_counter() - t_start > time_limit:
            log(f"time limit reached at generation {state.generation}")
            break
    if checkpoint is not None:
        state.save(Path(checkpoint))
    return state


# ---------------------------------------------------------------------------------------------
# gradient descent (classification)


def held_out_splits(
    data: Any,
    seed: int,
    val_size: int,
    features: Callable[[np.ndarray], np.ndarray] = lambda X: X,
):
    """``Splits`` of ``data`` (``X_train``, ``y_train``, ``X_test``, ``y_test``): ``val_size``
    training images (a permutation seeded by ``seed``) held out for validation, the rest to
    train on, the test set as is; ``features`` applied to every ``X``."""
    from ..data.mnist import Split, Splits

    d = data
    perm = np.random.default_rng(seed).permutation(len(d.X_train))
    val, train = perm[:val_size], perm[val_size:]
    return Splits(
        Split(features(d.X_train[train]), d.y_train[train]),
        Split(features(d.X_train[val]), d.y_train[val]),
        Split(features(d.X_test), d.y_test),
    )


def train_classifier_weights(
    task: object,
    genome: Genome,
    w0: float | np.ndarray,
    epochs: int = 30,
    batch_size: int = 128,
    learning_rate: float = 0.02,
    seed: int = 0,
    val_size: int = 10_000,
    refit: bool = False,
    log: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, FitResult, FitResult]:
    """Train ``genome``'s weights on ``task.data`` (MNIST-256) by gradient descent from the
    shared weight ``w0`` (or from ``w0``'s individual weights, packed edge order): Adam with
    a cosine learning-rate schedule, minibatches of ``batch_size``, ``val_size`` training
    images held out (a seeded split) to pick the best epoch ``b``.

    Without ``refit`` the weights are those of epoch ``b``. With ``refit`` the held-out images
    go back in: training restarts from ``w0`` on all training images for ``b`` epochs (its own
    cosine schedule over ``b`` epochs), and the weights are those of its last epoch; nothing
    else is chosen on that run. Either way the test set is touched once, by the returned
    weights. Returns ``(weights, result, selection)``: the ``FitResult`` that produced the
    weights (with the test accuracy) and the one whose validation chose ``b`` (the same
    object without ``refit``)."""
    from ..data.mnist import Split, Splits
    from ..optim import Adam, Schedule
    from ..training import fit
    from .networks.backprop import GenomeNet

    splits = held_out_splits(task.data, seed, val_size)  # type: ignore[attr-defined]

    def on_epoch(r) -> None:
        if log is not None:
            val = "" if np.isnan(r.val_acc) else f"  val loss {r.val_loss:.4f}  acc {r.val_acc:.4f}"
            log(
                f"epoch {r.epoch:3d}  train loss {r.train_loss:.4f}  acc {r.train_acc:.4f}"
                f"{val}  {r.seconds:.2f} s"
            )

    def train(data: Splits, n_epochs: int) -> tuple[np.ndarray, FitResult]:
        net = GenomeNet(genome, w0)
        result = fit(
            net, data, Adam(learning_rate=learning_rate), epochs=n_epochs,
            batch_size=batch_size, seed=seed, schedule=Schedule("cosine"), on_epoch=on_epoch,
        )  # fmt: skip
        best = result.best_params["w"] if result.best_params else net.params["w"]
        return np.array(best), result

    if not refit:
        w, result = train(splits, epochs)
        return w, result, result
    _, selection = train(Splits(splits.train, splits.val, None), epochs)
    b = selection.best_epoch or epochs
    if log is not None:
        log(f"validation chose epoch {b}: training again on all training images for {b} epochs")
    d = task.data  # type: ignore[attr-defined]
    w, result = train(Splits(Split(d.X_train, d.y_train), None, splits.test), b)
    return w, result, selection


# ---------------------------------------------------------------------------------------------
# the paper's fixed-topology baselines


def dense_genome(n_in: int, n_out: int, hidden: int, act: int = 5) -> Genome:
    """A fully connected network with one hidden layer of ``hidden`` nodes of activation
    ``act`` (tanh by default): bias and inputs -> every hidden node -> every output (linear),
    ``(n_in + 1) hidden + (hidden + 1) n_out`` connections. The paper's fixed-topology
    baseline, evaluated and trained with the same code as a found topology."""
    from .networks.genome import BIAS, HIDDEN, INPUT, OUTPUT, Conn, Node

    if hidden < 1:
        raise ScratchnnError(f"--hidden must be >= 1, got {hidden}")
    nodes = [Node(0, BIAS), *(Node(i, INPUT) for i in range(1, n_in + 1))]
    nodes += [Node(n_in + k, OUTPUT) for k in range(1, n_out + 1)]
    first_hidden = n_in + n_out + 1
    nodes += [Node(first_hidden + h, HIDDEN, act) for h in range(hidden)]
    pairs = [(s, first_hidden + h) for h in range(hidden) for s in range(n_in + 1)]
    pairs += [
        (s, n_in + k)
        for k in range(1, n_out + 1)
        for s in [0, *range(first_hidden, first_hidden + hidden)]
    ]
    return Genome(n_in, n_out, nodes, [Conn(i, s, d) for i, (s, d) in enumerate(pairs)])


def logistic_regression(
    task: object, epochs: int = 30, learning_rate: float = 0.01, seed: int = 0,
    val_size: int = 10_000,
):  # fmt: skip
    """The paper's linear baseline for MNIST-256: multinomial logistic regression
    ``p = softmax([x, 1] W)`` on the 256 features plus a bias, scratchnn's own
    :class:`~scratchnn.models.SoftmaxRegression` (``activation="linear"``) trained by
    :func:`~scratchnn.training.fit` with Adam and a cosine schedule, the best epoch by
    validation accuracy on ``val_size`` held-out training images. Returns the ``FitResult``."""
    from ..models import SoftmaxRegression
    from ..optim import Adam, Schedule
    from ..training import fit

    d = task.data  # type: ignore[attr-defined]

    def with_bias(X: np.ndarray) -> np.ndarray:
        return np.concatenate([X, np.ones((len(X), 1))], axis=1)

    splits = held_out_splits(d, seed, val_size, with_bias)
    model = SoftmaxRegression(d.X_train.shape[1] + 1, 10, activation="linear", seed=seed)
    return fit(
        model, splits, Adam(learning_rate=learning_rate), epochs=epochs, batch_size=128,
        seed=seed, schedule=Schedule("cosine"),
    )  # fmt: skip
