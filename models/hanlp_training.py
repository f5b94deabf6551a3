"""Recipe of the HanLP comparison model: a character BiLSTM tagger on the same data mix as the spaCy model.

`newsx train ner-zh --backend hanlp --out WORKDIR` trains HanLP's own
RNNNamedEntityRecognizer (BiLSTM, softmax decoding) with randomly initialised
character embeddings (no pretrained embeddings or transformers can be had
offline) on a seeded subsample of the fixed training mix of
configs/ner_zh_data.yaml (Latin-script names substituted as for the spaCy
model), time-boxed, and saves it where `hanlp.load(path)` and
`--model zh=hanlp:WORKDIR/model` find it. `--evaluate DIR --backend hanlp`
scores it with the spaCy model's scorer (training.evaluate_ner_zh).

Corpus notes:
- HanLP's tagger reads one character per line; the HanLP backend feeds a
  sentence's non-space characters, so spaces are dropped here too.
- Sentences with a MISSING region (a string a corpus leaves unannotated for
  lack of the label) are left out of training: the tagger has no way to skip
  a region, and training them as "no entity" would teach that 总经理 or 中国
  is none.
- crf=False: in hanlp 2.1.5 RNNTaggingModel builds its CRF with
  batch_first=None, which decodes batches transposed (see
  tests/test_backends.py); BIO tags are decoded per character instead.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from newsx.models import training
from newsx.models.training import MISSING, Sentence

log = logging.getLogger(__name__)

COMPONENT_CLASSPATH = "hanlp.components.ner.rnn_ner.RNNNamedEntityRecognizer"

# The recipe's defaults (what the comparison in MODEL_CARD.md was trained with).
DEFAULTS = {
    "train_sentences": 20000,  # seeded subsample of the augmented mix
    "dev_sentences": 1500,  # seeded subsample of the dev splits, for model selection after each epoch
    "max_minutes": 35.0,  # time box; the epoch under way finishes
    "epochs": 30,
    "batch_size": 32,
    "embed": 100,  # randomly initialised character embeddings
    "rnn_hidden": 150,
    "drop": 0.3,
    "lr": 0.003,
}
# A smoke run (`--limit`): the recipe end to end in seconds.
SMOKE = {"epochs": 2, "embed": 16, "rnn_hidden": 16, "max_minutes": 1.0}


def tagged_characters(sentence: Sentence) -> list[tuple[str, str]]:
    """(character, BIO tag) for each non-space character of a sentence."""
    tags = ["O"] * len(sentence.text)
    for span in sentence.entities():
        tags[span.start] = f"B-{span.label}"
        for index in range(span.start + 1, span.end):
            tags[index] = f"I-{span.label}"
    pairs = [(char, tag) for char, tag in zip(sentence.text, tags, strict=True) if not char.isspace()]
    # A span that began on a space (never, after trimming) or whose B fell on one: keep BIO well-formed.
    fixed, previous = [], "O"
    for char, tag in pairs:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        fixed.append((char, tag))
        previous = tag
    return fixed


def write_tsv(sentences: Iterable[Sentence], path: Path) -> int:
    """HanLP's tagging TSV: a character and its tag a line, a blank line after each sentence."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for sentence in sentences:
            pairs = tagged_characters(sentence)
            if not pairs:
                continue
            handle.write("".join(f"{char}\t{tag}\n" for char, tag in pairs) + "\n")
            count += 1
    return count


def usable(sentence: Sentence) -> bool:
    return not any(span.label == MISSING for span in sentence.spans)


def subsample(sentences: Sequence[Sentence], size: int | None, seed: str) -> list[Sentence]:
    kept = [sentence for sentence in sentences if usable(sentence)]
    if size is None or size >= len(kept):
        return kept
    return random.Random(seed).sample(kept, size)


def build_tsv_corpora(data_dir: Path, out_dir: Path, seed: int, limit: int | None, train_size: int | None, dev_size: int | None) -> dict[str, Path]:
    spec = training.load_data_spec()
    train, dev = training.training_and_dev_sentences(Path(data_dir), spec, seed, limit)
    paths = {"train": out_dir / "corpus" / "train.tsv", "dev": out_dir / "corpus" / "dev.tsv"}
    counts = {
        "train": write_tsv(subsample(train, train_size, f"{seed}/hanlp/train"), paths["train"]),
        "dev": write_tsv(subsample(dev, dev_size, f"{seed}/hanlp/dev"), paths["dev"]),
    }
    log.info("HanLP corpora: %s", counts)
    (out_dir / "corpus" / "counts.json").write_text(json.dumps(counts), encoding="utf-8")
    return paths


def _time_boxed_recogniser(max_seconds: float):
    """RNNNamedEntityRecognizer whose training loop stops after the epoch that passes `max_seconds`."""
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    class TimeBoxed(RNNNamedEntityRecognizer):
        epochs_run = 0

        def execute_training_loop(self, trn, dev, epochs, criterion, optimizer, metric, save_dir, logger, patience, **kwargs):
            started = time.monotonic()
            best_epoch, best = 0, None
            for epoch in range(1, epochs + 1):
                self.fit_dataloader(trn, criterion, optimizer, metric, logger)
                _loss, score = self.evaluate_dataloader(dev, criterion, None)
                self.epochs_run = epoch
                log.info("HanLP epoch %d: dev span F1 %.4f (%.0f s)", epoch, score.score, time.monotonic() - started)
                if best is None or score.score > best:
                    self.save_weights(save_dir)
                    best_epoch, best = epoch, score.score
                if epoch - best_epoch >= patience or time.monotonic() - started > max_seconds:
                    break
            if best_epoch != self.epochs_run:
                self.load_weights(save_dir)
            self.best_epoch, self.best_dev_f1 = best_epoch, best or 0.0
            return best

    return TimeBoxed()


def train_ner_zh_hanlp(out_dir: Path, data_dir: Path, limit: int | None = None, seed: int = 0, **overrides) -> Path:
    """Converts the mix to TSV and trains the HanLP tagger single-threaded; returns out_dir/model."""
    import torch

    settings = {**DEFAULTS, **(SMOKE if limit else {}), **{k: v for k, v in overrides.items() if v is not None}}
    out_dir = Path(out_dir)
    paths = build_tsv_corpora(
        Path(data_dir), out_dir, seed, limit,
        None if limit else settings["train_sentences"], None if limit else settings["dev_sentences"],
    )
    model_dir = out_dir / "model"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    started = time.monotonic()
    try:
        recogniser = _time_boxed_recogniser(settings["max_minutes"] * 60)
        recogniser.fit(
            str(paths["train"]), str(paths["dev"]), str(model_dir), epochs=settings["epochs"],
            batch_size=settings["batch_size"], embed=settings["embed"], rnn_hidden=settings["rnn_hidden"],
            drop=settings["drop"], lr=settings["lr"], crf=False, tagging_scheme="BIO", anneal_factor=None,
            patience=5, seed=seed, verbose=False, devices=-1, logger=log,
        )
    finally:
        torch.set_num_threads(threads)
    seconds = time.monotonic() - started
    # Saved under the class hanlp.load knows, not this recipe's time-boxed subclass.
    config_path = model_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["classpath"] = COMPONENT_CLASSPATH
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    report = {
        "settings": settings, "seed": seed, "epochs_run": recogniser.epochs_run, "best_epoch": recogniser.best_epoch,
        "best_dev_f1": round(recogniser.best_dev_f1, 4), "seconds": round(seconds, 1),
        "corpus": json.loads((out_dir / "corpus" / "counts.json").read_text(encoding="utf-8")),
    }
    (out_dir / "training.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    log.info("HanLP training: %s", report)
    return model_dir


def hanlp_predictor(model_dir: Path):
    """A predict function (texts -> spans with our labels) over the model, through the HanLP backend."""
    from newsx.models.hanlp_backend import HanlpBackend

    backend = HanlpBackend(str(model_dir))

    def predict(texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        return [[(s.start, s.end, s.label) for s in analysis.spans] for analysis in backend.recognise(list(texts))]

    return predict
