"""The contract's `counted_alike`, between which outcomes publishes no change, is what
reporting's figures say: a change from one such record to the other would move none."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.domain.contributions import record_delta
from shared.contract.records import RecordStart, counted_alike
from tests.reporting.support import records

DRAWING_RECORDS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Records are slow to draw: no health check on the pace (a loaded machine)."""


@DRAWING_RECORDS
@given(records(), st.data())
def test_records_counted_alike_move_no_figure(record, data) -> None:
    # Any other record of the same start: its step movements, end and answers its own.
    other = data.draw(records())
    same_start = other.model_copy(
        update={name: getattr(record, name) for name in RecordStart._fields}
    )
    both_open = record.end_date is None and same_start.end_date is None
    assert counted_alike(record, same_start) == both_open
    if both_open:
        assert record_delta(record, same_start) == {}
        assert record_delta(same_start, record) == {}


@DRAWING_RECORDS
@given(records())
def test_a_record_begun_or_gone_is_never_counted_alike(record) -> None:
    assert not counted_alike(None, record)
    assert not counted_alike(record, None)
