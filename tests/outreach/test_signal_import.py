"""The command-line door on the story file: every encoding and XLSX give the same result,
and nothing is ever counted twice."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from households.messages import message_text
from households.models import Household, Person, TimelineEvent
from outreach import signal_files
from outreach.demo_signals import HEADER
from outreach.models import DiscoveryAlert, RiskAssessment, RiskSignal, SignalBatch, SignalChunk
from outreach.models.signal_batches import observation_key
from outreach.selectors.assessments import risk_model_current, signals_by_household
from outreach.selectors.timeline import household_timeline
from outreach.services.approvals import approval_decide
from outreach.services.assessments import risk_model_rescore, risk_model_save
from outreach.services.signal_batches import signal_chunk_parse
from outreach.services.signal_matching import signal_subject
from tests.factories import HeadOfHouseholdFactory, HouseholdFactory, PersonFactory
from tests.fixtures.signals import STORY_SUMMARY, days_ago, story_rows


def factor_texts(assessment) -> list[str]:
    return [message_text(f) for f in assessment.factors]

pytestmark = pytest.mark.django_db(transaction=True)


def counts():
    return (RiskSignal.objects.count(), RiskAssessment.objects.count(),
            DiscoveryAlert.objects.count(), Household.objects.count(),
            TimelineEvent.objects.count(), SignalBatch.objects.count())


@pytest.mark.parametrize("fmt", ["cp949", "utf-8", "utf-8-sig", "xlsx", "tab"])
def test_every_shape_of_the_same_rows_gives_the_same_summary(story_file, import_signals, fmt):
    summary = import_signals(story_file(fmt))
    assert summary["status"] == "done"
    assert {k: summary[k] for k in STORY_SUMMARY} == STORY_SUMMARY
    assert [(e["line"], e["column"]) for e in summary["errors"]] == [
        (8, "birth_date"), (9, "signal_kind"), (10, "amount"), (11, "rrn"), (12, "rrn"),
    ]
    assert [e["column_label"] for e in summary["errors"]] == [
        "생년월일", "위기정보", "금액", "주민등록번호", "주민등록번호"]


def test_every_signal_is_stored_under_its_observation_key(story_file, import_signals, dongs):
    """Matched, candidates' and unmatched alike; on PostgreSQL the worker computes the key
    and sends it with each staged row (signal_staging). The subject it is made of — the
    keyed hash of the RRN, or of name + birth date + address — is not stored: worked out
    here again from each line of the file."""
    import_signals(story_file("cp949"))
    header = signal_files.map_header(HEADER)
    subjects = {}
    for line, cells in enumerate(story_rows(dongs), start=2):
        row = signal_files.validate(signal_files.RawRow(line, cells), header, days_ago(0))
        if isinstance(row, signal_files.SignalRow):
            subjects[line] = signal_subject(row)
    stored = list(RiskSignal.objects.all())
    assert {s.match for s in stored} == {"rrn", "name", "candidate", "unmatched"}
    assert [s.observation for s in stored] == [
        observation_key(s.source_id, s.kind, subjects[s.line], s.observed_on) for s in stored]
    # Nor is any person's RRN hash kept in a signal's row, by whatever column.
    hashes = set(Person.objects.exclude(rrn_hash=None).values_list("rrn_hash", flat=True))
    assert hashes and not hashes & {
        value for s in RiskSignal.objects.values_list() for value in s}


def test_a_row_short_or_long_is_read_as_the_others(story_file, import_signals, people):
    """A row with cells missing at its end reads them as empty; one with cells past the
    header's, without them. On PostgreSQL such a chunk is not Arrow's (a row of another
    width): it is read the row-wise way, from the bytes already read."""
    day = days_ago(3).isoformat()
    summary = import_signals(story_file("utf-8", rows=[
        ["450101-2345678", "김영희", "", "", "", "", "관리비 체납", day, "3", "90000", ""],
        ["450101-2345678", "김영희", "", "", "", "", "단전", day],
        ["450101-2345678", "김영희", "", "", "", "", "단수", day, "", "", "", "더"],
    ]))
    assert (summary["accepted"], summary["rejected"], summary["matched_people"]) == (3, 0, 3)
    assert sorted(RiskSignal.objects.values_list("line", "kind", "months_overdue")) == [
        (2, "maintenance_arrears", 3), (3, "power_cutoff", None),
        (4, "water_cutoff", None)]


def test_the_same_file_again_returns_the_same_batch_and_changes_nothing(story_file,
                                                                       import_signals):
    path = story_file("cp949")
    first = import_signals(path)
    before = counts()
    again = import_signals(path)
    assert again["batch_id"] == first["batch_id"]
    assert counts() == before


def test_a_copy_in_another_encoding_adds_nothing_new(story_file, import_signals):
    import_signals(story_file("cp949"))
    before = counts()
    second = import_signals(story_file("xlsx"))
    assert second["accepted"] == 0
    assert second["duplicates"] == STORY_SUMMARY["accepted"] + STORY_SUMMARY["duplicates"]
    assert second["alerts_opened"] == 0
    signals, assessments, alerts, households, _timeline, batches = counts()
    assert (signals, alerts, households, batches) == (before[0], before[2], before[3],
                                                      before[5] + 1)


def test_an_overlapping_file_adds_only_what_is_new_and_updates_the_open_alert(
        story_file, import_signals, dongs, people):
    import_signals(story_file("cp949"))
    alert = DiscoveryAlert.objects.get(household=people["yeoui"], status="open")
    rows = story_rows(dongs)[:2] + [
        ["450101-2345678", "김영희", "", "", "", "", "관리비 체납", days_ago(3).isoformat(), "4",
         "320000", ""],
    ]
    summary = import_signals(story_file("utf-8", rows=rows))
    assert (summary["accepted"], summary["duplicates"]) == (1, 2)
    assert (summary["alerts_opened"], summary["alerts_updated"]) == (0, 1)
    assert DiscoveryAlert.objects.filter(household=people["yeoui"]).count() == 1
    alert.refresh_from_db()
    assert alert.assessment.batch_id == summary["batch_id"]
    assert "관리비 체납 4개월 (32만 원)" in factor_texts(alert.assessment)


def test_an_observation_reported_again_reaches_the_household_it_is_about_now(
        story_file, import_signals, dongs, people):
    """One signal per observation per household: 김영희 has moved in with 최민호 and 정수진,
    unmatched at first, has registered since — the same rows again are signals of their
    households now, scored there; the old rows stay where they were."""
    import_signals(story_file("cp949"))
    kim, daerim = people["kim"], people["daerim"]
    Person.objects.filter(pk=kim.pk).update(household=daerim)
    busan = HouseholdFactory(dong=dongs["대림2동"], road_address="부산광역시 해운대구 해운대로 1",
                             address_detail="")
    jung = HeadOfHouseholdFactory(household=busan, name="정수진", birth_date=date(1980, 1, 1))

    second = import_signals(story_file("utf-8"))

    # 김영희's 단전 and 단수, 정수진's 단전: new here; everything else as before.
    assert (second["accepted"], second["duplicates"]) == (
        3, STORY_SUMMARY["accepted"] + STORY_SUMMARY["duplicates"] - 3)
    power_cut = RiskSignal.objects.get(line=2, household=people["yeoui"]).observation
    assert sorted(RiskSignal.objects.filter(observation=power_cut).values_list(
        "household_key", "person_id", "match")) == sorted([
            (people["yeoui"].pk, kim.pk, "rrn"), (daerim.pk, kim.pk, "rrn")])
    assert sorted(RiskSignal.objects.filter(kind="power_cutoff", line=7).values_list(
        "household_key", "person_id", "match")) == [(0, None, "unmatched"),
                                                    (busan.pk, jung.pk, "name")]
    assert {kind for kind, *_ in signals_by_household([daerim.pk])[daerim.pk]} >= {
        "power_cutoff", "water_cutoff"}
    assert RiskAssessment.objects.filter(household=busan, batch_id=second["batch_id"]).exists()


def test_people_are_matched_by_number_then_by_name_birth_and_address(story_file,
                                                                    import_signals, people):
    import_signals(story_file("cp949"))
    assert set(RiskSignal.objects.filter(person=people["kim"]).values_list("match", flat=True)) \
        == {"rrn"}
    assert RiskSignal.objects.get(person=people["park"]).match == "name"


def test_a_number_the_registry_lacks_still_matches_by_name_birth_and_address(
        tmp_path, import_signals, people):
    """박철수 has no RRN on file: a row that gives one is still his by name, birth date and
    address (the first registered of two such people); without the address it is nobody's."""
    twin = PersonFactory(household=people["singil"], name="박철수",
                         birth_date=date(1960, 5, 5))
    path = tmp_path / "numbered.csv"
    path.write_text(
        "주민등록번호,성명,생년월일,주소,상세주소,위기정보,기준일\n"
        "600505-1234567,박철수,19600505,영등포구 신길로 10,2층,단전,20250101\n"
        "600505-1234567,박철수,19600505,,,단수,20250101\n", encoding="utf-8")
    summary = import_signals(path)
    assert (summary["matched_people"], summary["unmatched"]) == (1, 1)
    signal = RiskSignal.objects.get()
    assert (signal.match, signal.person, signal.household) == (
        "name", people["park"], people["singil"])
    assert twin.pk > people["park"].pk


def test_an_unmatched_person_at_a_district_address_becomes_an_unregistered_candidate(
        story_file, import_signals, dongs):
    import_signals(story_file("cp949"))
    candidate = Household.objects.get(road_address__contains="여의나루로 999")
    assert candidate.registered_here is False
    assert candidate.dong == dongs["여의동"]
    assert candidate.members.get().name == "이민수"
    assert candidate.discovery_alerts.get().status == "open"  # 단전 + 단가스 together
    assert RiskSignal.objects.get(match="unmatched").household is None


def test_an_unmatched_row_without_an_address_is_counted_not_kept(tmp_path, import_signals,
                                                                people):
    """A national feed's row about somebody registered nowhere here, with no address to
    visit: nobody can follow it up, so the district does not keep it."""
    path = tmp_path / "national.csv"
    path.write_text(
        "주민등록번호,성명,주소,위기정보,기준일\n"
        "450101-2345678,,,단전,20250101\n"  # 김영희: registered here
        "800808-1234567,,,단전,20250101\n"  # registered nowhere here, no address
        "800808-1234568,최민호,,단수,20250101\n"  # a name, still no address
        "800808-1234569,최민수,부산광역시 해운대구 해운대로 1,단수,20250101\n",
        encoding="utf-8")
    summary = import_signals(path)
    assert (summary["accepted"], summary["matched_people"], summary["unmatched"]) == (4, 1, 3)
    assert list(RiskSignal.objects.values_list("match", "address").order_by("line")) == [
        ("rrn", ""), ("unmatched", "부산광역시 해운대구 해운대로 1")]
    assert not RiskSignal.objects.filter(name_masked="최*호").exists()


def test_an_alert_records_score_level_factors_and_the_emergency_due_date(
        story_file, import_signals, people, settings):
    import_signals(story_file("cp949"))
    alert = DiscoveryAlert.objects.get(household=people["yeoui"])
    assessment = alert.assessment
    assert assessment.level == "critical" and assessment.score >= 75
    assert factor_texts(assessment)[:2] == ["단전 2개월", "단수"]
    assert "1인 가구" in factor_texts(assessment)
    # 긴급: first contact within EMERGENCY_FIRST_CONTACT_DAYS.
    assert alert.due_on == days_ago(-settings.EMERGENCY_FIRST_CONTACT_DAYS)
    assert any("발굴 대상 등록" in event.text for event in TimelineEvent.objects.filter(
        household=people["yeoui"], kind="assessment"))


def test_a_household_below_the_threshold_is_assessed_without_an_alert(story_file,
                                                                     import_signals, people):
    import_signals(story_file("cp949"))
    assessment = RiskAssessment.objects.get(household=people["singil"])
    assert assessment.score < 50
    assert assessment.factors[0] == {"code": "health_insurance_arrears", "months": 6,
                                     "amount": 480000}
    assert factor_texts(assessment)[0] == "건강보험료 체납 6개월 (48만 원)"
    assert not DiscoveryAlert.objects.filter(household=people["singil"]).exists()


def test_a_round_writes_a_timeline_line_per_alert_and_the_timeline_reads_the_rest(
        story_file, import_signals, people):
    summary = import_signals(story_file("cp949"))
    written = TimelineEvent.objects.filter(kind="assessment")
    # One line for each alert opened, pointing at its assessment; none for 신길1동's.
    assert written.count() == summary["alerts_opened"] == 2
    assert {(line.object_type, line.object_id) for line in written} == {
        ("riskassessment", str(a.pk)) for a in RiskAssessment.objects.filter(
            household__in=[line.household_id for line in written])}
    assert not written.filter(household=people["singil"]).exists()
    # Its timeline still tells its assessment, in the words a line would have had; 여의동's
    # tells its own once.
    singil = [line.text for line in household_timeline(people["singil"])
              if line.kind == "assessment"]
    assessment = RiskAssessment.objects.get(household=people["singil"])
    assert singil == [f"위기정보 반영 (한국사회보장정보원): 위기도 {assessment.score}점 (관심) · "
                      f"건강보험료 체납 6개월 (48만 원)"]
    yeoui = [line.text for line in household_timeline(people["yeoui"])
             if line.kind == "assessment"]
    assert len(yeoui) == 1 and yeoui[0].endswith("발굴 대상 등록")


def test_undecodable_bytes_reject_only_their_line(tmp_path, import_signals, people):
    path = tmp_path / "broken.csv"
    good = "450101-2345678,김영희,단전,20250101\r\n".encode("cp949")
    path.write_bytes("주민등록번호,성명,위기정보,기준일\r\n".encode("cp949") + good
                     + b"700303-1234567,\xff\xfe\xfd,\xc5\xdc\xc0\xfc,20250101\r\n"
                     + "700303-1234567,최민호,단수,20250102\r\n".encode("cp949"))
    summary = import_signals(path, "ssis", "--encoding", "cp949")
    assert (summary["accepted"], summary["rejected"]) == (2, 1)
    assert summary["errors"][0]["line"] == 3
    assert "cp949" in summary["errors"][0]["reason"]


def test_a_quoted_newline_keeps_the_files_own_line_numbers(tmp_path, import_signals, people):
    path = tmp_path / "multiline.csv"
    path.write_text(
        "주민등록번호,성명,주소,위기정보,기준일\n"
        '450101-2345678,김영희,"여의대방로 55\n302호",단전,20250101\n'
        "450101-2345678,김영희,,단수,2025-13-01\n",
        encoding="utf-8",
    )
    summary = import_signals(path)
    assert summary["accepted"] == 1
    assert summary["errors"] == [{"line": 4, "column": "observed_on", "column_label": "기준일",
                                  "code": "observed_format", "values": {"v": "2025-13-01"},
                                  "reason": "기준일 '2025-13-01' 형식 오류 (YYYYMMDD, YYYY-MM-DD, "
                                            "YYYY.MM.DD)"}]


def test_the_dong_is_read_from_a_lot_address_when_there_is_no_code(tmp_path, import_signals,
                                                                   dongs):
    path = tmp_path / "lots.csv"
    path.write_text(
        "성명,생년월일,주소,위기정보,기준일\n"
        "한지민,19880808,서울특별시 영등포구 여의도동 12-3,단전,20250101\n"
        # 신길동 spans six 행정동: without a code nobody can say which.
        "한지수,19880809,서울특별시 영등포구 신길동 100,단전,20250101\n",
        encoding="utf-8",
    )
    summary = import_signals(path)
    assert (summary["unregistered_candidates"], summary["unmatched"]) == (1, 1)
    assert Household.objects.get(road_address__contains="여의도동 12-3").dong == dongs["여의동"]


def test_a_redelivered_chunk_queues_scoring_an_earlier_run_died_before_queuing(
        story_file, import_signals):
    from outreach.models import SignalChunk

    summary = import_signals(story_file("cp949"))
    batch = SignalBatch.objects.get(pk=summary["batch_id"])
    # As if the worker died right after switching to scoring, before queuing the task.
    SignalChunk.objects.filter(batch=batch, phase="score").delete()
    RiskAssessment.objects.filter(batch=batch).delete()
    SignalBatch.objects.filter(pk=batch.pk).update(status="scoring", score_chunks_total=0)
    signal_chunk_parse(batch.pk, 0)
    batch.refresh_from_db()
    assert batch.status == "done"
    assert RiskAssessment.objects.filter(batch=batch).count() == 3


def test_rescoring_under_a_new_version_runs_once_per_household(story_file, import_signals,
                                                               admin_user):
    from outreach.scoring import DEFAULT_PARAMS

    import_signals(story_file("cp949"))
    current = risk_model_current()
    data = {name: getattr(current, name) for name in (
        "half_life_days", "month_factor", "amount_factor", "bonus_alone_cutoff",
        "bonus_two_cutoffs", "bonus_elderly", "bonus_many_kinds", "level_medium",
        "level_high", "level_critical")}
    model = risk_model_save(user=admin_user, note="완화",
                                     data={**data, "weights": DEFAULT_PARAMS.weights,
                                           "threshold": 20})
    # A second district admin approves it; then (tasks run eagerly) every household rescores.
    approval_decide(approval=model.approvals.get(), decision="approved",
                    user=get_user_model().objects.get(username="admin2"))
    assert RiskAssessment.objects.filter(model_version=model.version).count() == 3
    assert risk_model_rescore(model.version) == 0
    assert RiskAssessment.objects.filter(model_version=model.version).count() == 3
    assert DiscoveryAlert.objects.filter(status="open").count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL reads a scoring chunk by its id range")
@pytest.mark.parametrize("by_range", [True, False], ids=["by_range", "by_list"])
def test_a_scoring_chunk_scores_only_the_batchs_households_by_range_or_by_list(
        story_file, import_signals, people, dongs, monkeypatch, by_range):
    """Read by its id range, a chunk skips the households in the range the batch does not
    name (박철수, scored by the first file; 최민호, never reported) and scores the others
    from all their signals, as score_household does."""
    from outreach import scoring
    from outreach.services import assessments, scoring_staged

    ranges = []
    statement = scoring_staged.score_statement
    monkeypatch.setattr(scoring_staged, "score_statement",
                        lambda **kw: ranges.append(kw["id_range"]) or statement(**kw))
    if not by_range:  # no range is narrow enough: the batch's households are listed
        monkeypatch.setattr(assessments, "SCORE_CHUNK_HOUSEHOLDS_STAGED", 0)
    rows = story_rows(dongs)
    park = [row for row in rows if row[1] == "박 철수"]
    assert import_signals(story_file("utf-8", rows=park))["households_scored"] == 1
    summary = import_signals(story_file("cp949", rows=[r for r in rows if r not in park]))
    assert ranges and all((r is not None) is by_range for r in ranges)
    assert summary["households_scored"] == 2
    assert RiskAssessment.objects.filter(household=people["singil"]).count() == 1
    assert not RiskAssessment.objects.filter(household=people["daerim"]).exists()
    params = scoring.Params.of(risk_model_current())
    for assessment in RiskAssessment.objects.filter(batch_id=summary["batch_id"]):
        household = assessment.household
        expected = scoring.score_household(
            lives_alone=household.lives_alone, elderly=household.elderly, params=params,
            today=days_ago(0), signals=signals_by_household([household.pk])[household.pk])
        assert (assessment.score, assessment.level, assessment.factors) == (
            expected.score, expected.level, expected.factors)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL's workers count outsiders without staging them")
def test_rows_about_people_registered_elsewhere_are_counted_until_they_register_here(
        story_file, import_signals, people, monkeypatch):
    """A row with only an RRN the registry does not hold is counted as unmatched in the
    worker, never sent to the database; once that person registers, the next file's row
    about them is matched. A row with any address still goes to the database."""
    from outreach.services import signal_staging
    from tests.factories import PersonFactory

    sent = []
    store = signal_staging.chunk_store
    monkeypatch.setattr(signal_staging, "chunk_store",
                        lambda rows, **kw: sent.extend(r[0] for r in rows) or store(rows, **kw))
    day = days_ago(3).isoformat()
    outsider = ["800101-1234567", "", "", "", "", "", "단전", day, "", "", ""]
    first = import_signals(story_file("utf-8", rows=[
        outsider,
        ["800101-1234567", "정대현", "", "", "3층", "", "단수", day, "", "", ""],
        ["450101-2345678", "김영희", "", "", "", "", "관리비 체납", day, "3", "90000", ""],
    ]))
    assert (first["accepted"], first["matched_people"], first["unmatched"]) == (3, 1, 2)
    assert sent == [3, 4]  # lines: the header is line 1
    assert RiskSignal.objects.filter(batch_id=first["batch_id"]).count() == 2

    PersonFactory(household=people["daerim"], name="정대현", rrn="800101-1234567")
    outsider[7] = days_ago(2).isoformat()
    second = import_signals(story_file("cp949", rows=[outsider]))
    assert (second["matched_people"], second["unmatched"]) == (1, 0)
    assert RiskSignal.objects.get(batch_id=second["batch_id"]).household == people["daerim"]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL cuts a large batch's scoring along the registry")
def test_a_batch_as_large_as_the_registry_is_scored_in_ranges_of_the_registry(
        story_file, import_signals, people, monkeypatch):
    """Kept signals enough for the registry's size (here one per ten households): the
    scoring chunks are every two households of the registry by id (the candidate the
    file created included), and each scores only the ones the batch names — the same
    summary as any other cut."""
    from outreach.services import assessments

    monkeypatch.setattr(assessments, "SCORE_CHUNK_HOUSEHOLDS_STAGED", 2)
    monkeypatch.setattr(assessments, "REGISTRY_CUT_SHARE", 0.1)
    summary = import_signals(story_file("cp949"))
    assert summary["households_scored"] == STORY_SUMMARY["households_scored"]
    registry = list(Household.objects.order_by("id").values_list("id", flat=True))
    assert 20 < len(registry) <= 50  # the demo district's, the story's, the candidate
    ranges = list(SignalChunk.objects.filter(batch_id=summary["batch_id"], phase="score")
                  .order_by("number").values_list("start", "end"))
    assert ranges == [(pair[0], pair[-1]) for pair in
                      (registry[n:n + 2] for n in range(0, len(registry), 2))]
    scored = set(RiskAssessment.objects.filter(batch_id=summary["batch_id"])
                 .values_list("household_id", flat=True))
    assert people["daerim"].pk not in scored and len(scored) == 3


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL stores and scores chunks set-based")
def test_chunks_commit_without_waiting_for_the_flush_and_only_chunks(
        story_file, import_signals, monkeypatch):
    """A parse or scoring chunk's transaction commits without waiting for the WAL flush
    (signal_staging.chunk_commit_unflushed); the setting ends with the transaction, so
    nothing else the connection does afterwards — a staff action — commits that way."""
    from outreach.services import assessments, signal_staging

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit')")
            return cursor.fetchone()[0]

    seen = []
    store, score = signal_staging.chunk_store, assessments.households_score
    monkeypatch.setattr(signal_staging, "chunk_store",
                        lambda rows, **kw: seen.append(("parse", setting())) or store(rows, **kw))
    monkeypatch.setattr(assessments, "households_score",
                        lambda ids, **kw: seen.append(("score", setting())) or score(ids, **kw))
    summary = import_signals(story_file("cp949"))
    assert summary["households_scored"] > 0
    assert {phase for phase, _value in seen} == {"parse", "score"}
    assert {value for _phase, value in seen} == {"off"}
    assert setting() == "on"
