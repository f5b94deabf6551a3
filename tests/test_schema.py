"""The record schema: strict, versioned, and its exported JSON Schema in sync."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from pydantic import TypeAdapter, ValidationError

from newsx.schemas import JSON_SCHEMA_DIR, SCHEMA_VERSION, Document, Event, RunSummary, json_schemas

DOC_ID = "doc_" + "a" * 24
PROVENANCE = {"pipeline_version": "0.1.0", "schema_version": SCHEMA_VERSION, "models": {"en.ner": "x@1#abc"}}
TEXT = "Motorola named Greg Brown as CEO. Ed Zander stepped down."


def event(**changes):
    record = {
        "event_id": "evt_" + "b" * 24,
        "type": "personnel.appointment",
        "arguments": {
            "person": {"name": "Greg Brown", "mentions": ["Greg Brown"]},
            "organization": {"name": "Motorola"},
            "role": "CEO",
        },
        "date": "2007-11-30",
        "modality": "actual",
        "confidence": 0.9,
        "evidence": [{"document_id": DOC_ID, "text": TEXT[:33], "start": 0, "end": 33, "language": "en"}],
        "provenance": PROVENANCE,
    }
    record.update(changes)
    return record


def document(**changes):
    record = {"document_id": DOC_ID, "source": "a.txt", "text": TEXT, "events": [event()], "provenance": PROVENANCE}
    record.update(changes)
    return record


def error_locations(exc: ValidationError) -> list[str]:
    return [".".join(str(part) for part in error["loc"]) for error in exc.errors()]


def test_checked_in_json_schema_matches_the_models():
    files = json_schemas()
    on_disk = {path.name: path.read_bytes() for path in JSON_SCHEMA_DIR.glob("*.schema.json")}
    assert sorted(on_disk) == sorted(files), "run `newsx schema` and commit schemas/json/"
    for name, text in files.items():
        assert on_disk[name] == text, f"{name} drifted from the models: run `newsx schema` and commit schemas/json/"


def test_json_schema_names_every_event_type():
    schema = orjson.loads(json_schemas()["event.schema.json"])
    mapping = schema["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(
        [
            "personnel.departure", "personnel.hire", "personnel.appointment", "personnel.leave",
            "personnel.dismissal", "org.founding", "org.funding", "org.acquisition", "org.restructuring",
            "legal.lawsuit", "product.release",
        ]
    )


def test_valid_document_round_trips_byte_identically():
    doc = Document.model_validate(document())
    again = Document.model_validate_json(doc.model_dump_json())
    assert again == doc
    assert again.model_dump_json() == doc.model_dump_json()


def test_unknown_event_type_is_rejected_naming_the_field():
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Event).validate_python(event(type="personnel.promotion"))
    assert "type" in str(info.value) and "personnel.promotion" in str(info.value)


def test_missing_identifying_argument_is_rejected_naming_it():
    args = event()["arguments"]
    del args["person"]
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Event).validate_python(event(arguments=args))
    assert "personnel.appointment.arguments.person" in error_locations(info.value)


def test_role_is_identifying_for_appointments_only():
    args = dict(event()["arguments"])
    del args["role"]
    with pytest.raises(ValidationError):
        TypeAdapter(Event).validate_python(event(arguments=args))
    TypeAdapter(Event).validate_python(event(type="personnel.hire", arguments=args))


def test_unknown_argument_role_is_rejected():
    args = {**event()["arguments"], "salary": "1"}
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Event).validate_python(event(arguments=args))
    assert "personnel.appointment.arguments.salary" in error_locations(info.value)


@pytest.mark.parametrize("bad", ["2024-13", "2024-02-30", "Aug 2024", "24-08-06", "2024-8-6", ""])
def test_malformed_date_is_rejected_naming_the_field(bad):
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Event).validate_python(event(date=bad))
    assert "personnel.appointment.date" in error_locations(info.value)


@pytest.mark.parametrize("good", ["2024", "2024-08", "2024-08-06", "2024-02-29", None])
def test_dates_at_any_precision_are_accepted(good):
    assert TypeAdapter(Event).validate_python(event(date=good)).date == good


def test_evidence_offsets_outside_the_text_are_rejected():
    outside = event(evidence=[{"document_id": DOC_ID, "text": "x" * 10, "start": len(TEXT), "end": len(TEXT) + 10}])
    with pytest.raises(ValidationError) as info:
        Document.model_validate(document(events=[outside]))
    assert "events[0].evidence[0].end" in str(info.value)


def test_evidence_text_must_match_its_offsets():
    shifted = event(evidence=[{"document_id": DOC_ID, "text": TEXT[:33], "start": 1, "end": 34}])
    with pytest.raises(ValidationError) as info:
        Document.model_validate(document(events=[shifted]))
    assert "events[0].evidence[0].text" in str(info.value)


def test_evidence_length_must_equal_its_span():
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Event).validate_python(event(evidence=[{"document_id": DOC_ID, "text": "abc", "start": 0, "end": 5}]))
    assert "evidence.0" in str(info.value)


def test_money_and_confidence_are_checked():
    funding = event(
        type="org.funding",
        arguments={"organization": {"name": "OpenAI"}, "amount": {"value": 6.6e9, "currency": "usd"}},
    )
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Event).validate_python(funding)
    assert "org.funding.arguments.amount.currency" in error_locations(info.value)
    with pytest.raises(ValidationError):
        TypeAdapter(Event).validate_python(event(confidence=1.5))


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError) as info:
        Document.model_validate(document(sentiment="positive"))
    assert "sentiment" in error_locations(info.value)


def test_run_summary_counts_must_add_up():
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    base = {"run_id": "run_" + "c" * 24, "source": "x", "started": now, "finished": now, "provenance": PROVENANCE}
    RunSummary(**base, read=4, processed=2, quarantined=1, duplicates=1)
    with pytest.raises(ValidationError) as info:
        RunSummary(**base, read=4, processed=2, quarantined=1, duplicates=0)
    assert "read (4)" in str(info.value)
