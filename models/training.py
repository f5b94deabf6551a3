"""Recipe of newsx's default Chinese NER model (models/data/ner_zh).

The shared corpora (../shared/data/ner/zh) become spaCy DocBins with our
labels (configs/ner_zh_data.yaml) and Latin-script names substituted into a
share of the sentences (configs/latin_names.yaml), because Chinese news names
Western people and companies in Latin script and the corpora hardly do. spaCy
then trains configs/ner_zh.cfg. Everything is seeded: the same data, config
and seed give the same DocBins, and spaCy's training is seeded with it too.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

CONFIGS = Path(__file__).resolve().parent / "configs"
DEFAULT_CONFIG = CONFIGS / "ner_zh.cfg"
DATA_SPEC = CONFIGS / "ner_zh_data.yaml"
LATIN_NAMES = CONFIGS / "latin_names.yaml"
SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "ner_zh"
# What a shipped model keeps besides spaCy's own files.
MODEL_CARD = "MODEL_CARD.md"

MISSING = "missing"  # annotation unknown: neither trained on nor scored
OUTSIDE = "outside"  # not one of our entities: trained as "no entity"
LATIN_NAME_LABELS = ("PERSON", "ORG")
# Settings of a smoke training (`limit`): a handful of steps, one evaluation.
SMOKE_OVERRIDES = {"training.max_steps": 6, "training.eval_frequency": 6}

_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Annotated:
    """A labelled character span [start, end) of a sentence; the label is ours or MISSING."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple[Annotated, ...]

    def entities(self) -> list[Annotated]:
        return [span for span in self.spans if span.label != MISSING]

    def missing(self) -> list[Annotated]:
        return [span for span in self.spans if span.label == MISSING]


@dataclass(frozen=True)
class LatinNames:
    given_names: tuple[str, ...]
    surnames: tuple[str, ...]
    organisations: tuple[str, ...]
    organisation_stems: tuple[str, ...]
    organisation_suffixes: tuple[str, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Scores:
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "p": round(self.precision, 4),
            "r": round(self.recall, 4),
            "f": round(self.f1, 4),
            "gold": self.gold,
            "predicted": self.predicted,
        }


# --- reading the corpora ---------------------------------------------------


def load_data_spec(path: Path = DATA_SPEC) -> dict:
    """The data recipe: label maps, mix, dev and evaluation splits, augmentation."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_latin_names(path: Path = LATIN_NAMES) -> LatinNames:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return LatinNames(**{key: tuple(data[key]) for key in LatinNames.__dataclass_fields__})


def map_record(record: Mapping, label_map: Mapping[str, str]) -> Sentence:
    """A corpus line with its source labels mapped to ours; OUTSIDE spans are dropped.

    Where the source nests spans (one CLUENER sentence), the span that starts
    first and is longest wins, since a token has one entity label.
    """
    kept: list[Annotated] = []
    ordered = sorted(record["spans"], key=lambda span: (span["start"], -span["end"]))
    for source in ordered:
        label = label_map[source["source_label"]]
        if label == OUTSIDE or (kept and source["start"] < kept[-1].end):
            continue
        kept.append(Annotated(source["start"], source["end"], label))
    return Sentence(record["text"], tuple(kept))


def read_corpus(path: Path, label_map: Mapping[str, str]) -> list[Sentence]:
    with path.open(encoding="utf-8") as handle:
        return [map_record(json.loads(line), label_map) for line in handle if line.strip()]


def label_lexicon(sentences: Iterable[Sentence], label: str, min_count: int, lengths: Sequence[int]) -> frozenset[str]:
    """The strings annotated with `label` at least `min_count` times, within the length bounds."""
    shortest, longest = lengths
    counts = Counter(
        sentence.text[span.start : span.end]
        for sentence in sentences
        for span in sentence.spans
        if span.label == label and shortest <= span.end - span.start <= longest
    )
    return frozenset(text for text, count in counts.items() if count >= min_count)


def mark_unannotated(sentence: Sentence, lexicon: frozenset[str], lengths: Sequence[int]) -> Sentence:
    """Marks lexicon strings outside any span as MISSING (longest match first)."""
    shortest, longest = lengths
    taken = [False] * len(sentence.text)
    for span in sentence.spans:
        taken[span.start : span.end] = [True] * (span.end - span.start)
    found: list[Annotated] = []
    position = 0
    while position < len(sentence.text):
        for length in range(min(longest, len(sentence.text) - position), shortest - 1, -1):
            end = position + length
            if not any(taken[position:end]) and sentence.text[position:end] in lexicon:
                found.append(Annotated(position, end, MISSING))
                position = end
                break
        else:
            position += 1
    return Sentence(sentence.text, tuple(sorted(sentence.spans + tuple(found), key=lambda span: span.start)))


def unannotated_lexicons(train: Mapping[str, Sequence[Sentence]], spec: Mapping) -> dict[str, frozenset[str]]:
    """Per corpus, the strings to mark MISSING in it: the union over the labels it does not annotate."""
    lexicons: dict[str, frozenset[str]] = {dataset: frozenset() for dataset in train}
    for label, rule in spec["unannotated"].items():
        sources = (s for dataset, sentences in train.items() if dataset not in rule["in"] for s in sentences)
        lexicon = label_lexicon(sources, label, rule["min_count"], spec["lexicon_lengths"])
        for dataset in rule["in"]:
            lexicons[dataset] |= lexicon
    return lexicons


# --- Latin-script name augmentation ----------------------------------------

Segment = tuple[str, str | None]  # replacement text and its label (None: plain text)


def replace_spans(sentence: Sentence, replacements: Mapping[int, Sequence[Segment]]) -> Sentence:
    """Replaces the spans at the given indexes by segments, shifting every other span's offsets."""
    pieces: list[str] = []
    spans: list[Annotated] = []
    length = 0
    cursor = 0
    for index, span in enumerate(sentence.spans):
        before = sentence.text[cursor : span.start]
        pieces.append(before)
        length += len(before)
        segments = replacements.get(index, [(sentence.text[span.start : span.end], span.label)])
        for text, label in segments:
            if label is not None:
                spans.append(Annotated(length, length + len(text), label))
            pieces.append(text)
            length += len(text)
        cursor = span.end
    pieces.append(sentence.text[cursor:])
    return Sentence("".join(pieces), tuple(spans))


def latin_person(original: str, names: LatinNames, forms: Mapping[str, float], rng: random.Random) -> list[Segment]:
    """A Latin-script person name in one of the ways Chinese news writes them."""
    given, surname = rng.choice(names.given_names), rng.choice(names.surnames)
    form = rng.choices(list(forms), weights=list(forms.values()))[0]
    if form == "surname":
        return [(surname, "PERSON")]
    if form == "given":
        return [(given, "PERSON")]
    if form == "lowercase":
        return [(f"{given} {surname}".lower(), "PERSON")]
    if form == "transliterated":
        opening, closing = rng.choice([("（", "）"), ("(", ")")])
        return [(original, "PERSON"), (opening, None), (f"{given} {surname}", "PERSON"), (closing, None)]
    return [(f"{given} {surname}", "PERSON")]


def latin_organisation(names: LatinNames, spec: Mapping, rng: random.Random) -> str:
    """A listed organisation, or one made up from a stem (and a suffix), sometimes in lower case."""
    forms = spec["organisation_forms"]
    form = rng.choices(list(forms), weights=list(forms.values()))[0]
    if form == "stem":
        organisation = rng.choice(names.organisation_stems)
    elif form == "stem_with_suffix":
        organisation = f"{rng.choice(names.organisation_stems)} {rng.choice(names.organisation_suffixes)}"
    else:
        organisation = rng.choice(names.organisations)
    return organisation.lower() if rng.random() < spec["lowercase_organisation"] else organisation


def latin_replacement(
    label: str, original: str, names: LatinNames, spec: Mapping, rng: random.Random
) -> list[Segment]:
    if label == "PERSON":
        return latin_person(original, names, spec["person_forms"], rng)
    if label == "ORG":
        return [(latin_organisation(names, spec, rng), "ORG")]
    return [(rng.choice(names.titles), "TITLE")]


def pad_beside(segments: list[Segment], before: str, after: str, share: float, rng: random.Random) -> list[Segment]:
    """Spaces around a Latin replacement: always beside Latin letters or digits (else words fuse), sometimes beside Han."""
    padded = list(segments)
    if _ASCII_ALNUM.fullmatch(before) or (_HAN.fullmatch(before) and rng.random() < share):
        padded.insert(0, (" ", None))
    if _ASCII_ALNUM.fullmatch(after) or (_HAN.fullmatch(after) and rng.random() < share):
        padded.append((" ", None))
    return padded


def augment_with_latin_names(sentence: Sentence, names: LatinNames, spec: Mapping, rng: random.Random) -> Sentence:
    """For a share of sentences, replaces PERSON, ORG (and some TITLE) spans by Latin-script ones.

    A span right after a replaced one is kept: two Latin names side by side
    would read as one.
    """
    shares = spec["span_share"]
    candidates = [index for index, span in enumerate(sentence.spans) if span.label in shares]
    if not candidates or rng.random() >= spec["sentence_share"]:
        return sentence
    replacements: dict[int, list[Segment]] = {}
    for index in candidates:
        span = sentence.spans[index]
        if rng.random() >= shares[span.label] or (index - 1 in replacements and sentence.spans[index - 1].end == span.start):
            continue
        segments = latin_replacement(span.label, sentence.text[span.start : span.end], names, spec, rng)
        before = sentence.text[span.start - 1 : span.start] if span.start else ""
        after = sentence.text[span.end : span.end + 1]
        replacements[index] = pad_beside(segments, before, after, spec["space_beside_han"], rng)
    return replace_spans(sentence, replacements)


# --- DocBins -----------------------------------------------------------------


def blank_zh():
    """spaCy's Chinese language with one token per character: nothing to download."""
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})


def sentence_to_doc(nlp, sentence: Sentence):
    """A Doc whose entities are the sentence's spans, MISSING spans unannotated, the rest outside."""
    doc = nlp.make_doc(sentence.text)
    entities = [_token_span(doc, span, span.label) for span in sentence.entities()]
    missing = [_token_span(doc, span, None) for span in sentence.missing()]
    doc.set_ents(entities, missing=missing, default="outside")
    return doc


def _token_span(doc, span: Annotated, label: str | None):
    token_span = doc.char_span(span.start, span.end, label=label or "")
    if token_span is None:  # a boundary on whitespace, which is no token of its own
        raise ValueError(f"span {span} of {doc.text!r} does not fall on token boundaries")
    return token_span


def write_docbin(nlp, sentences: Iterable[Sentence], path: Path) -> int:
    from spacy.tokens import DocBin

    docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for sentence in sentences:
        docbin.add(sentence_to_doc(nlp, sentence))
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)
    return len(docbin)


def read_split(data_dir: Path, dataset: str, split: str, spec: Mapping, limit: int | None = None) -> list[Sentence]:
    sentences = read_corpus(data_dir / dataset / f"{split}.jsonl", spec["label_maps"][dataset])
    return sentences[:limit] if limit else sentences


def read_training_splits(data_dir: Path, spec: Mapping) -> dict[str, list[Sentence]]:
    """The training split of every corpus of the mix, MSRA without its held-out dev sentences."""
    train = {dataset: read_split(data_dir, dataset, "train", spec) for dataset in spec["train_mix"]}
    train["msra"] = train["msra"][: -spec["msra_dev_sentences"]]
    return train


def training_and_dev_sentences(
    data_dir: Path, spec: Mapping, seed: int, limit: int | None = None
) -> tuple[list[Sentence], list[Sentence]]:
    """The fixed training mix (augmented, seeded) and the dev set (never augmented)."""
    train = read_training_splits(data_dir, spec)
    dev = dev_splits(data_dir, spec)
    if limit:
        train = {dataset: sentences[:limit] for dataset, sentences in train.items()}
        dev = {dataset: sentences[:limit] for dataset, sentences in dev.items()}
    lexicons = unannotated_lexicons(train, spec)
    lengths = spec["lexicon_lengths"]
    names = load_latin_names()
    mixed: list[Sentence] = []
    for dataset, copies in spec["train_mix"].items():
        sentences = [mark_unannotated(sentence, lexicons[dataset], lengths) for sentence in train[dataset]]
        for copy in range(copies):
            rng = random.Random(f"{seed}/{dataset}/{copy}")
            mixed.extend(augment_with_latin_names(sentence, names, spec["augmentation"], rng) for sentence in sentences)
    marked_dev = [mark_unannotated(s, lexicons[dataset], lengths) for dataset, sentences in dev.items() for s in sentences]
    return mixed, marked_dev


def dev_splits(data_dir: Path, spec: Mapping) -> dict[str, list[Sentence]]:
    """MSRA's held-out last sentences and the other corpora's dev splits."""
    msra = read_split(data_dir, "msra", "train", spec)[-spec["msra_dev_sentences"] :]
    others = {dataset: read_split(data_dir, dataset, split, spec) for dataset, split in spec["dev_splits"].items()}
    return {"msra": msra, **others}


def build_corpora(data_dir: Path, out_dir: Path, seed: int = 0, limit: int | None = None) -> dict[str, Path]:
    """Writes train.spacy and dev.spacy under out_dir; returns their paths."""
    spec = load_data_spec()
    train, dev = training_and_dev_sentences(data_dir, spec, seed, limit)
    nlp = blank_zh()
    paths = {"train": out_dir / "train.spacy", "dev": out_dir / "dev.spacy"}
    write_docbin(nlp, train, paths["train"])
    write_docbin(nlp, dev, paths["dev"])
    return paths


# --- training and shipping ---------------------------------------------------


def train_ner_zh(
    out_dir: Path, data_dir: Path, config: Path = DEFAULT_CONFIG, limit: int | None = None, seed: int = 0
) -> Path:
    """Converts the corpora and trains with spaCy; returns the best model's folder (out_dir/model-best).

    With `limit`, only the first `limit` sentences of each split are used and
    training stops after a few steps: a smoke run of the whole recipe.
    """
    from spacy.cli.train import train

    out_dir = Path(out_dir)
    corpora = build_corpora(Path(data_dir), out_dir / "corpus", seed=seed, limit=limit)
    overrides = {"paths.train": str(corpora["train"]), "paths.dev": str(corpora["dev"]), "system.seed": seed}
    if limit:
        overrides.update(SMOKE_OVERRIDES)
    train(Path(config), out_dir, use_gpu=-1, overrides=overrides)
    return out_dir / "model-best"


def ship_model(model_dir: Path, ship_dir: Path = SHIPPED_MODEL) -> Path:
    """Saves the model as newsx loads it: nlp.to_disk with our meta, no training paths, the model card kept."""
    import spacy

    nlp = spacy.load(model_dir)
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    nlp.meta.update(load_data_spec()["meta"])
    card = (ship_dir / MODEL_CARD).read_text(encoding="utf-8") if (ship_dir / MODEL_CARD).exists() else None
    if ship_dir.exists():
        shutil.rmtree(ship_dir)
    nlp.to_disk(ship_dir)
    if card is not None:
        (ship_dir / MODEL_CARD).write_text(card, encoding="utf-8")
    return ship_dir


# --- evaluation --------------------------------------------------------------


def _overlaps(span: tuple[int, int], regions: Iterable[Annotated]) -> bool:
    return any(span[0] < region.end and region.start < span[1] for region in regions)


def score_spans(
    gold: Sequence[Sentence], predicted: Sequence[Sequence[tuple[int, int, str]]], labels: Iterable[str]
) -> dict[str, Scores]:
    """Exact-match P/R/F1 per label and micro-averaged ("ALL") over `labels`.

    Predictions of other labels, and predictions touching a MISSING region of
    the gold, are not scored.
    """
    labels = tuple(labels)
    counts = {label: [0, 0, 0] for label in labels}
    for sentence, spans in zip(gold, predicted, strict=True):
        gold_spans = {(s.start, s.end, s.label) for s in sentence.entities() if s.label in counts}
        missing = sentence.missing()
        guessed = {s for s in spans if s[2] in counts and not _overlaps(s[:2], missing)}
        for start, end, label in guessed:
            counts[label][1] += 1
            counts[label][0] += (start, end, label) in gold_spans
        for _, _, label in gold_spans:
            counts[label][2] += 1
    scores = {label: Scores(*count) for label, count in counts.items()}
    scores["ALL"] = Scores(*(sum(count[i] for count in counts.values()) for i in range(3)))
    return scores


def predict_spans(nlp, texts: Sequence[str], batch_size: int = 256) -> list[list[tuple[int, int, str]]]:
    return [
        [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]


def dataset_labels(label_map: Mapping[str, str]) -> list[str]:
    """Our labels that a dataset annotates: the ones it can be scored on."""
    return sorted({label for label in label_map.values() if label not in (MISSING, OUTSIDE)})


def evaluate_ner_zh(
    model_dir: Path, data_dir: Path, limit: int | None = None, ignore_unannotated: bool = True, backend: str = "spacy"
) -> dict[str, dict[str, Scores]]:
    """Per evaluation dataset (configs/ner_zh_data.yaml), P/R/F1 per label and overall.

    With `ignore_unannotated`, predictions on strings a corpus leaves
    unannotated for lack of the label (configs/ner_zh_data.yaml, unannotated)
    are not scored, as in training. `backend` "hanlp" scores a HanLP model
    (hanlp_training.py) through the HanLP backend with the same scorer.
    """
    if backend == "hanlp":
        from newsx.models.hanlp_training import hanlp_predictor

        predict = hanlp_predictor(Path(model_dir))
    else:
        import spacy

        nlp = spacy.load(model_dir)

        def predict(texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
            return predict_spans(nlp, texts)

    spec = load_data_spec()
    data_dir = Path(data_dir)
    lexicons = unannotated_lexicons(read_training_splits(data_dir, spec), spec)
    results: dict[str, dict[str, Scores]] = {}
    for dataset, split in spec["evaluation_splits"].items():
        gold = read_split(data_dir, dataset, split, spec, limit)
        if ignore_unannotated:
            gold = [mark_unannotated(sentence, lexicons[dataset], spec["lexicon_lengths"]) for sentence in gold]
        predicted = predict([sentence.text for sentence in gold])
        results[dataset] = score_spans(gold, predicted, dataset_labels(spec["label_maps"][dataset]))
    return results


def is_latin_name(text: str) -> bool:
    return bool(_LATIN_LETTER.search(text))


def latin_name_scores(gold: Sequence[Sentence], predicted: Sequence[Sequence[tuple[int, int, str]]]) -> Scores:
    """Exact-match scores of PERSON and ORG spans written with Latin letters (the mixed-script set)."""
    true_positives = predicted_count = gold_count = 0
    for sentence, spans in zip(gold, predicted, strict=True):
        expected = {
            (s.start, s.end, s.label)
            for s in sentence.entities()
            if s.label in LATIN_NAME_LABELS and is_latin_name(sentence.text[s.start : s.end])
        }
        found = {s for s in spans if s[2] in LATIN_NAME_LABELS and is_latin_name(sentence.text[s[0] : s[1]])}
        true_positives += len(expected & found)
        predicted_count += len(found)
        gold_count += len(expected)
    return Scores(true_positives, predicted_count, gold_count)


def read_annotated_jsonl(path: Path) -> list[Sentence]:
    """Sentences in the {text, spans: [{start, end, label}]} format with labels already ours."""
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            spans = (Annotated(s["start"], s["end"], s["label"]) for s in record["spans"])
            sentences.append(Sentence(record["text"], tuple(spans)))
    return sentences


def scores_table(results: Mapping[str, Mapping[str, Scores]]) -> dict[str, dict[str, dict[str, float | int]]]:
    return {dataset: {label: s.as_dict() for label, s in scores.items()} for dataset, scores in results.items()}


# --- command line --------------------------------------------------------------


def add_parser(commands) -> None:
    """`newsx train ner-zh`: the whole recipe, or `--evaluate MODEL_DIR` to score a model."""
    parser = commands.add_parser("train", help="train (or evaluate) a newsx model from the shared corpora")
    parser.add_argument("what", choices=["ner-zh"], help="the model: ner-zh, the Chinese NER model")
    parser.add_argument("--data", default="../shared/data/ner/zh", help="the corpora (default: ../shared/data/ner/zh)")
    parser.add_argument("--out", help="working folder: DocBins, model-best, model-last (required to train)")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="spaCy training config (default: the shipped one)")
    parser.add_argument("--limit", type=int, help="use only the first N sentences of each split and a few steps (smoke run)")
    parser.add_argument("--seed", type=int, default=0, help="seed of augmentation and training (default 0)")
    parser.add_argument(
        "--backend", choices=["spacy", "hanlp"], default="spacy",
        help="spacy (default: the shipped model's recipe) or hanlp (the BiLSTM comparison model, models/hanlp_training.py)",
    )
    parser.add_argument("--minutes", type=float, help="with --backend hanlp: time box of the training (default 35)")
    parser.add_argument("--sentences", type=int, help="with --backend hanlp: training sentences sampled from the mix (default 20000)")
    parser.add_argument("--ship", action="store_true", help=f"after training, save the best model to {SHIPPED_MODEL}")
    parser.add_argument("--evaluate", metavar="MODEL_DIR", help="score this model on the evaluation splits; no training")
    parser.add_argument(
        "--score-unannotated", action="store_true", help="with --evaluate: also score strings a corpus leaves unannotated"
    )
    parser.set_defaults(handler=run_train_command)


def run_train_command(args: argparse.Namespace) -> int:
    backend = getattr(args, "backend", "spacy")
    if args.evaluate:
        results = evaluate_ner_zh(Path(args.evaluate), Path(args.data), args.limit, not args.score_unannotated, backend)
        print(json.dumps(scores_table(results), indent=2, ensure_ascii=False))
        return 0
    if not args.out:
        raise SystemExit("newsx train: --out is required to train")
    if backend == "hanlp":
        if args.ship:
            raise SystemExit("newsx train: --ship is for the spaCy model; a HanLP model is used in place: --model zh=hanlp:OUT/model")
        from newsx.models.hanlp_training import train_ner_zh_hanlp

        model = train_ner_zh_hanlp(
            Path(args.out), Path(args.data), args.limit, args.seed, max_minutes=args.minutes, train_sentences=args.sentences
        )
        print(f"trained {model} (use it with --model zh=hanlp:{model}; training report in {Path(args.out) / 'training.json'})")
        return 0
    best = train_ner_zh(Path(args.out), Path(args.data), Path(args.config), args.limit, args.seed)
    if args.ship:
        print(f"shipped {ship_model(best)}")
    return 0
