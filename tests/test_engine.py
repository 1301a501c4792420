"""The engine's behaviour through the Verwijsindex facade, on every store (the store suite)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from _factories import (
    PSEUDONYMISER,
    RING,
    STORE_FACTORIES,
    TODAY,
    child_born,
    index,
    organisation,
    professional,
    subject,
)
from verwijsindex_core import (
    Bsn,
    KeyRing,
    NotPermitted,
    Pseudonymiser,
    UnknownRecord,
    ValidationError,
    Verwijsindex,
)
from verwijsindex_core.audit import AuditEvent
from verwijsindex_core.matching import (
    Actor,
    Domain,
    EndReason,
    FixedClock,
    HistoryViewReason,
    MatchKind,
    NotificationKind,
    Policy,
    PostponementGround,
    default_regions,
    load_regions,
    move_needs_notice,
)

ORG_A = organisation(1, Domain.JEUGDGEZONDHEIDSZORG, "GM0518")
ORG_B = organisation(2, Domain.ONDERWIJS, "GM0518")
ORG_C = organisation(3, Domain.JEUGDHULP, "GM0599")
PRO_A, PRO_A2 = professional(ORG_A, 1), professional(ORG_A, 2)
PRO_B = professional(ORG_B, 1)
PRO_C = professional(ORG_C, 1)
KID = subject(1)
SIBLING = subject(2)
PARENT = subject(50)
DOB = child_born(9)


@pytest.fixture(params=sorted(STORE_FACTORIES))
def vi(request: pytest.FixtureRequest) -> Verwijsindex:
    return index(request.param)[0]


def reg(vi: Verwijsindex, org=ORG_A, pro=PRO_A, who=KID, dob=DOB, **kw):  # type: ignore[no-untyped-def]
    return vi.register(
        who,
        date_of_birth=dob,
        organisation=org,
        professional=pro,
        municipality=org.municipality,
        **kw,
    )


def actor(pro) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(organisation_id=pro.organisation_id, professional_id=pro.id)


def org(organisation_id: str) -> Actor:
    return Actor(organisation_id=organisation_id)


def test_two_organisations_match_and_both_are_told(vi: Verwijsindex) -> None:
    first = reg(vi)
    assert first.created and not first.matches and not first.notifications
    second = reg(vi, ORG_B, PRO_B)
    (match,) = second.matches
    assert (match.signal_a, match.signal_b) == (first.signal.id, second.signal.id)
    assert match.kind is MatchKind.DIRECT and not match.cross_region
    (to_b,) = second.notifications  # the registrant's part only
    assert to_b.organisation_id == ORG_B.id and to_b.contacts[0].phone == PRO_A.phone
    (to_a,) = vi.notifications_for(org(ORG_A.id))  # the other side finds its own
    assert to_a.contacts[0].professional_name == PRO_B.name
    assert to_a.contacts[0].signal_id == second.signal.id


def test_a_registration_shows_only_the_registrants_part(vi: Verwijsindex) -> None:
    """A registration that links two subjects matches other organisations' signals; the
    registrant learns only its own signal's matches (no search)."""
    old, new = (PSEUDONYMISER.pseudonymise(Bsn("111222333")),), None
    rotated = Pseudonymiser(KeyRing(RING.active, ()).rotate())
    new = rotated.pseudonymise(Bsn("111222333"))
    reg(vi, ORG_A, PRO_A, who=old[0])
    reg(vi, ORG_B, PRO_B, who=new)
    both = reg(vi, ORG_C, PRO_C, who=[new, old[0]])
    assert len(both.matches) == 2  # not the A-B match the link made
    assert all(both.signal.id in (m.signal_a, m.signal_b) for m in both.matches)
    assert {n.organisation_id for n in both.notifications} == {ORG_C.id}
    assert len(vi.matches_for(org(ORG_A.id))) == 2  # A sees its match with B and with C


def test_same_organisation_does_not_match_unless_policy_says_so() -> None:
    for policy, expected in ((Policy(), 0), (Policy(same_organisation_matching=True), 1)):
        vi, _ = index(policy=policy)
        reg(vi)
        assert len(reg(vi, ORG_A, PRO_A2).matches) == expected


def test_re_registration_is_idempotent(vi: Verwijsindex) -> None:
    reg(vi, ORG_B, PRO_B)
    first = reg(vi)
    again = reg(vi)
    assert not again.created and again.signal.id == first.signal.id
    assert not again.matches and not again.notifications
    assert len(list(vi._store.all_signals())) == 2
    assert len(list(vi._store.all_matches())) == 1


def test_bsn_subjects_are_pseudonymised_and_never_stored(vi: Verwijsindex) -> None:
    bsn = Bsn("111222333")
    result = reg(vi, who=bsn)
    assert result.signal.subject == PSEUDONYMISER.pseudonymise(bsn)
    bare = Verwijsindex(clock=FixedClock(vi.clock.now()))
    with pytest.raises(ValidationError, match="pseudonymiser"):
        reg(bare, who=bsn)


def test_only_the_turns_23_date_is_kept(vi: Verwijsindex) -> None:
    reg(vi)
    (record,) = list(vi._store.subjects())
    assert record.turns_23 == date(DOB.year + 23, DOB.month, DOB.day)
    assert not any(getattr(record, name, None) == DOB for name in record.__slots__)
    with pytest.raises(ValidationError) as info:
        reg(vi, ORG_B, PRO_B, dob=DOB + timedelta(days=1))
    assert info.value.rule == "conflict"


def test_family_match_through_a_shared_parent(vi: Verwijsindex) -> None:
    reg(vi, parents=[PARENT])
    sibling = reg(vi, ORG_B, PRO_B, who=SIBLING, dob=child_born(5), parents=[PARENT])
    (match,) = sibling.matches
    assert match.kind is MatchKind.FAMILY
    # Linking later also matches: a third child's parent link arrives after its signal.
    third = subject(3)
    reg(vi, ORG_C, PRO_C, who=third, dob=child_born(2))
    made = vi.set_parents(third, [PARENT], actor(PRO_C))
    assert [m.kind for m in made] == [MatchKind.FAMILY, MatchKind.FAMILY]
    assert vi.set_parents(third, [PARENT], actor(PRO_C)) == []


def test_cross_region_matches_are_flagged_and_both_regions_told() -> None:
    policy = Policy(regions={"GM0518": "haaglanden", "GM0599": "rijnmond"})
    vi, _ = index(policy=policy)
    reg(vi)
    second = reg(vi, ORG_C, PRO_C)
    assert second.matches[0].cross_region
    assert [n.organisation_id for n in second.notifications] == [ORG_C.id]
    for recipient in (ORG_A.id, "haaglanden-coordinator", "rijnmond-coordinator"):
        assert len(vi.notifications_for(org(recipient))) == 1
    assert len(vi.notifications_for(org("rijnmond-coordinator"))[0].contacts) == 2


def test_history_notice_when_earlier_signals_ended(vi: Verwijsindex) -> None:
    old = reg(vi)
    vi.end_signal(old.signal.id, EndReason.RISK_GONE, actor(PRO_A))
    new = reg(vi, ORG_B, PRO_B)
    assert not new.matches
    assert new.history_notice is not None and new.history_notice.inactive_signals == 1
    assert new.notifications[0].kind is NotificationKind.HISTORY_EXISTS
    assert new.notifications[0].contacts == ()  # a notice only, no contact data
    contacts = vi.view_history(new.signal.id, HistoryViewReason.CONTINUITY_OF_CARE, actor(PRO_B))
    assert [c.professional_name for c in contacts] == [PRO_A.name]
    entries = [e for e in vi._store.audit_entries() if e.event == AuditEvent.VIEW_HISTORY]
    assert entries[-1].actor_organisation == ORG_B.id
    assert "continuity_of_care" in entries[-1].detail
    with pytest.raises(ValidationError, match="history-reason"):
        vi.view_history(new.signal.id, "curiosity", actor(PRO_B))
    with pytest.raises(UnknownRecord):
        vi.view_history(new.signal.id, HistoryViewReason.RISK_ASSESSMENT, actor(PRO_C))


def test_history_view_can_be_switched_off() -> None:
    vi, _ = index(policy=Policy(history_view=False))
    signal = reg(vi).signal
    with pytest.raises(NotPermitted):
        vi.view_history(signal.id, HistoryViewReason.RISK_ASSESSMENT, actor(PRO_A))


def test_unjustified_deletes_with_matches_and_notifications(vi: Verwijsindex) -> None:
    first = reg(vi)
    second = reg(vi, ORG_B, PRO_B)
    vi.end_signal(second.signal.id, EndReason.UNJUSTIFIED, actor(PRO_B))
    assert [s.id for s in vi._store.all_signals()] == [first.signal.id]
    assert not list(vi._store.all_matches())
    assert vi.notifications_for(org(ORG_A.id)) == []
    with pytest.raises(UnknownRecord):
        vi.end_signal(second.signal.id, EndReason.RISK_GONE, actor(PRO_B))


def test_only_the_owner_ends_a_signal_and_only_with_a_professional_reason(vi: Verwijsindex) -> None:
    signal = reg(vi).signal
    with pytest.raises(UnknownRecord):
        vi.end_signal(signal.id, EndReason.RISK_GONE, actor(PRO_B))
    with pytest.raises(ValidationError, match="end-reason"):
        vi.end_signal(signal.id, EndReason.PLANNED_END, actor(PRO_A))
    with pytest.raises(ValidationError, match="end-reason"):
        vi.end_signal(signal.id, "because", actor(PRO_A))
    vi.end_signal(signal.id, "risk_gone", actor(PRO_A))
    with pytest.raises(ValidationError, match="not-active"):
        vi.end_signal(signal.id, EndReason.RISK_GONE, actor(PRO_A))


def test_death_ends_everything_and_blocks_new_signals(vi: Verwijsindex) -> None:
    reg(vi)
    reg(vi, ORG_B, PRO_B)
    assert len(vi.record_death(KID, actor(PRO_A))) == 2
    assert {s.end_reason for s in vi._store.all_signals()} == {EndReason.DECEASED}
    with pytest.raises(ValidationError, match="deceased"):
        reg(vi, ORG_C, PRO_C)


def test_move_tells_the_new_regions_coordinator(vi: Verwijsindex) -> None:
    reg(vi)
    reg(vi, ORG_B, PRO_B)
    note = vi.record_move(KID, "GM0599", actor(PRO_A))
    assert note is not None and note.kind is NotificationKind.MOVE
    assert note.organisation_id == "rijnmond-coordinator"
    assert [c.organisation_id for c in note.contacts] == [ORG_A.id, ORG_B.id]
    with pytest.raises(ValidationError, match="municipality"):
        vi.record_move(KID, "Den Haag", actor(PRO_A))


def test_move_of_an_unknown_subject(vi: Verwijsindex) -> None:
    with pytest.raises(UnknownRecord):
        vi.record_move(subject(77), "GM0599", actor(PRO_A))


def test_sweep_planned_end_23rd_birthday_and_purge() -> None:
    vi, clock = index()
    short = reg(vi, planned_end=TODAY + timedelta(days=10)).signal
    old = TODAY.replace(year=TODAY.year - 23) + timedelta(days=20)
    adult = reg(vi, ORG_B, PRO_B, who=subject(9), dob=old).signal
    clock.advance(days=9)
    assert vi.sweep().ended_planned == ()
    clock.advance(days=1)
    report = vi.sweep()
    assert report.ended_planned == (short.id,)
    clock.advance(days=40)
    report = vi.sweep()
    assert report.ended_age == (adult.id,)
    ended_adult = vi._store.get_signal(adult.id)
    assert ended_adult is not None and ended_adult.ended_on == date(
        old.year + 23, old.month, old.day
    )
    assert ended_adult.end_reason is EndReason.AGE_LIMIT
    clock.set(clock.now().replace(year=clock.now().year + 5) - timedelta(days=41))
    assert vi.sweep().purged == ()
    clock.advance(days=1)
    assert vi.sweep().purged == (short.id,)
    assert vi._store.get_signal(short.id) is None


def test_a_signal_past_its_end_does_not_match_even_before_the_sweep() -> None:
    vi, clock = index()
    reg(vi, planned_end=TODAY + timedelta(days=5))
    clock.advance(days=5)
    later = reg(vi, ORG_B, PRO_B)
    assert not later.matches
    assert later.history_notice is not None


def test_matches_for_shows_only_own_signals(vi: Verwijsindex) -> None:
    reg(vi)
    reg(vi, ORG_B, PRO_B)
    reg(vi, ORG_C, PRO_C, who=SIBLING, dob=child_born(4))
    assert len(vi.matches_for(org(ORG_A.id))) == 1
    assert len(vi.matches_for(org(ORG_C.id))) == 0
    assert vi.matches_for(actor(PRO_A2)) == []
    reads = [e for e in vi._store.audit_entries() if e.event == AuditEvent.READ_MATCHES]
    assert reads and reads[-1].actor_organisation == ORG_A.id


def test_coordinator_and_afgestemd_only_by_a_party(vi: Verwijsindex) -> None:
    reg(vi)
    match = reg(vi, ORG_B, PRO_B).matches[0]
    marked = vi.mark_coordinator(match.id, match.signal_b, actor(PRO_A))
    assert marked.coordinator_signal == match.signal_b
    assert vi.mark_afgestemd(match.id, actor(PRO_B)).afgestemd
    with pytest.raises(UnknownRecord):
        vi.mark_afgestemd(match.id, actor(PRO_C))
    with pytest.raises(ValidationError, match="party"):
        vi.mark_coordinator(match.id, 999, actor(PRO_A))


def test_outbox_is_at_least_once_until_acknowledged(vi: Verwijsindex) -> None:
    reg(vi)
    reg(vi, ORG_B, PRO_B)
    notes = vi.notifications_for(org(ORG_A.id))
    assert vi.notifications_for(org(ORG_A.id)) == notes  # read twice: still there
    assert vi.acknowledge(org(ORG_B.id), [n.id for n in notes]) == 0  # not B's to acknowledge
    assert vi.acknowledge(org(ORG_A.id), [n.id for n in notes]) == 1
    assert vi.notifications_for(org(ORG_A.id)) == []


def test_informing_duty_and_postponement() -> None:
    vi, _ = index()
    young = reg(vi, who=subject(20), dob=child_born(11))
    assert (young.informing_duty.inform_parents, young.informing_duty.inform_young_person) == (
        True,
        False,
    )
    teen = reg(
        vi,
        who=subject(21),
        dob=child_born(14),
        postponement=PostponementGround.SAFETY_OF_YOUNG_PERSON,
    )
    duty = teen.informing_duty
    assert duty.inform_parents and duty.inform_young_person and duty.postponed
    assert duty.ground is PostponementGround.SAFETY_OF_YOUNG_PERSON
    adult = reg(vi, who=subject(22), dob=child_born(19))
    assert (adult.informing_duty.inform_parents, adult.informing_duty.inform_young_person) == (
        False,
        True,
    )


def test_every_write_and_read_is_audited_and_the_chain_verifies(vi: Verwijsindex) -> None:
    first = reg(vi)
    reg(vi, ORG_B, PRO_B)
    vi.matches_for(org(ORG_A.id))
    vi.notifications_for(org(ORG_B.id))
    vi.end_signal(first.signal.id, EndReason.RISK_GONE, actor(PRO_A))
    vi.signal(first.signal.id, actor(PRO_A))
    events = [e.event for e in vi._store.audit_entries()]
    assert events == [
        AuditEvent.REGISTER,
        AuditEvent.REGISTER,
        AuditEvent.READ_MATCHES,
        AuditEvent.READ_NOTIFICATIONS,
        AuditEvent.END_SIGNAL,
        AuditEvent.READ_SIGNAL,
    ]
    entries = list(vi._store.audit_entries())
    assert {e.subject for e in entries} == {KID.text}
    assert (
        entries[1].actor_professional == PRO_B.id
        and entries[1].responsible_organisation == ORG_B.id
    )
    assert vi.verify_audit().ok
    with pytest.raises(UnknownRecord):
        vi.signal(first.signal.id, actor(PRO_B))


def test_register_many_counts() -> None:
    vi, _ = index()
    requests = [
        {
            "subject": subject(i // 3),
            "date_of_birth": child_born(8),
            "organisation": org,
            "professional": pro,
            "municipality": org.municipality,
        }
        for i, (org, pro) in enumerate([(ORG_A, PRO_A), (ORG_B, PRO_B), (ORG_C, PRO_C)] * 2)
    ]
    summary = vi.register_many(requests)
    assert (summary.registered, summary.existing) == (6, 0)
    assert summary.matches == 6
    again = vi.register_many(requests[:2])
    assert (again.registered, again.existing, again.matches) == (0, 2, 0)
    assert vi.verify_audit().ok and len(list(vi._store.audit_entries())) == 8


@pytest.mark.parametrize("store", sorted(STORE_FACTORIES))
def test_register_many_is_all_or_nothing(store: str) -> None:
    vi, _ = index(store)
    good = {
        "subject": subject(70),
        "date_of_birth": child_born(8),
        "organisation": ORG_A,
        "professional": PRO_A,
        "municipality": "GM0518",
    }
    conflicting = {
        **good,
        "organisation": ORG_B,
        "professional": PRO_B,
        "date_of_birth": child_born(9),
    }
    too_old = {**good, "subject": subject(71), "date_of_birth": child_born(30)}
    for bad in (conflicting, too_old, {**good, "notes": "x"}):
        with pytest.raises(ValidationError):
            vi.register_many([good, bad])
        assert list(vi._store.all_signals()) == []
        assert list(vi._store.audit_entries()) == []


def test_validation_errors_carry_every_problem_and_pickle() -> None:
    import pickle

    vi, _ = index()
    with pytest.raises(ValidationError) as info:
        vi.submit({"subject": "x", "municipality": "Den Haag"})
    fields = {e["field"] for e in info.value.errors}
    assert {"subject", "municipality", "date_of_birth", "organisation", "professional"} <= fields
    again = pickle.loads(pickle.dumps(info.value))
    assert again.errors == info.value.errors and again.rule == info.value.rule


# --- issue: defects found tried as a new user would -------------------------------------------


def test_parent_links_sent_with_a_re_registration_are_kept(vi: Verwijsindex) -> None:
    reg(vi)
    again = reg(vi, parents=[PARENT])  # the same live signal: idempotent, but the link counts
    assert not again.created
    sibling = reg(vi, ORG_B, PRO_B, who=SIBLING, dob=child_born(5), parents=[PARENT])
    assert [m.kind for m in sibling.matches] == [MatchKind.FAMILY]


def test_a_wrong_date_of_birth_can_be_corrected(vi: Verwijsindex) -> None:
    wrong = reg(vi, dob=DOB + timedelta(days=3))
    # The signal made in error goes; with it the subject, so the right date is accepted.
    vi.end_signal(wrong.signal.id, EndReason.UNJUSTIFIED, actor(PRO_A))
    assert list(vi._store.subjects()) == []
    right = reg(vi)
    assert right.created
    # Or rectified in place (AVG art. 16), audited; later registrations with the right date fit.
    other = subject(31)
    reg(vi, who=other, dob=DOB + timedelta(days=3))
    with pytest.raises(ValidationError, match="conflict"):
        reg(vi, ORG_B, PRO_B, who=other)
    done = vi.rectify_date_of_birth(other, DOB, actor(PRO_A))
    assert done.reopened == () and done.corrected == ()
    assert len(reg(vi, ORG_B, PRO_B, who=other).matches) == 1
    events = [e.event for e in vi._store.audit_entries()]
    assert AuditEvent.RECTIFY in events


def test_rectification_reopens_a_signal_ended_at_a_wrong_23rd_birthday() -> None:
    vi, clock = index()
    born_wrong = TODAY.replace(year=TODAY.year - 23) + timedelta(days=10)
    first = reg(vi, dob=born_wrong)
    second = reg(vi, ORG_B, PRO_B, dob=born_wrong)
    assert len(second.matches) == 1
    clock.advance(days=10)
    assert vi.sweep().ended_age == (first.signal.id, second.signal.id)
    # The subject is two years younger: both signals are live again.
    right = born_wrong.replace(year=born_wrong.year + 2)
    done = vi.rectify_date_of_birth(KID, right, actor(PRO_A))
    assert done.reopened == (first.signal.id, second.signal.id) and done.matches == ()
    assert vi.signal(first.signal.id, actor(PRO_A)).status.value == "active"
    assert reg(vi, ORG_C, PRO_C, dob=right).matches  # and it matches again
    # An older correct date moves a forced end earlier.
    vi2, clock2 = index()
    short = reg(vi2, planned_end=TODAY + timedelta(days=30), dob=born_wrong.replace(year=2015))
    clock2.advance(days=40)
    assert vi2.sweep().ended_planned == (short.signal.id,)
    older = (TODAY - timedelta(days=10)).replace(year=TODAY.year - 23)
    fixed = vi2.rectify_date_of_birth(KID, older, actor(PRO_A))
    assert fixed.corrected == (short.signal.id,)
    record = vi2._store.get_signal(short.signal.id)
    assert record is not None and record.end_reason is EndReason.AGE_LIMIT
    with pytest.raises(ValidationError, match="future"):
        vi2.rectify_date_of_birth(KID, clock2.today() + timedelta(days=1), actor(PRO_A))
    with pytest.raises(UnknownRecord):
        vi2.rectify_date_of_birth(subject(88), older, actor(PRO_A))


def test_the_default_region_table_keeps_a_covenant_together(vi: Verwijsindex) -> None:
    """Den Haag and Rijswijk are both Haaglanden: no cross-region flag, no coordinators."""
    rijswijk = organisation(9, Domain.ONDERWIJS, "GM0603")
    reg(vi)
    second = reg(vi, rijswijk, professional(rijswijk, 1))
    assert not second.matches[0].cross_region
    assert [n.organisation_id for n in second.notifications] == [rijswijk.id]
    assert vi.notifications_for(org("haaglanden-coordinator")) == []
    rotterdam = reg(vi, ORG_C, PRO_C)
    assert all(m.cross_region for m in rotterdam.matches)
    assert {n.organisation_id for n in rotterdam.notifications} == {ORG_C.id}
    assert vi.notifications_for(org("haaglanden-coordinator"))
    assert vi.notifications_for(org("rijnmond-coordinator"))


def test_regions_load_from_a_csv_of_cbs_codes(tmp_path: Path) -> None:
    table = tmp_path / "regions.csv"
    table.write_text("municipality,name,region\nGM0344,Utrecht,utrecht\nGM0355,Zeist,utrecht\n")
    assert load_regions(table) == {"GM0344": "utrecht", "GM0355": "utrecht"}
    assert default_regions()["GM0603"] == "haaglanden"
    table.write_text("municipality,region\nUtrecht,utrecht\n")
    with pytest.raises(ValidationError, match="municipality-code"):
        load_regions(table)
    table.write_text("code,region\n")
    with pytest.raises(ValidationError, match="csv-header"):
        load_regions(table)
    with pytest.raises(ValidationError, match="region-id"):
        Policy(regions={"GM0344": "Utrecht Stad"})


def test_a_move_within_the_region_tells_nobody(vi: Verwijsindex) -> None:
    reg(vi)
    reg(vi, ORG_B, PRO_B)
    assert vi.record_move(KID, "GM0518", actor(PRO_A)) is None  # same municipality
    assert vi.record_move(KID, "GM0603", actor(PRO_A)) is None  # Rijswijk: still Haaglanden
    note = vi.record_move(KID, "GM0599", actor(PRO_A))  # Rotterdam: Rijnmond is told
    assert note is not None and note.organisation_id == "rijnmond-coordinator"
    assert vi.record_move(KID, "GM0606", actor(PRO_A)) is None  # Schiedam: still Rijnmond
    assert move_needs_notice(None, "haaglanden", frozenset({"haaglanden"})) is False
    assert move_needs_notice(None, "rijnmond", frozenset({"haaglanden"})) is True
    assert move_needs_notice("haaglanden", "rijnmond", frozenset()) is False


def test_acknowledge_and_reading_one_signal_are_audited(vi: Verwijsindex) -> None:
    first = reg(vi)
    reg(vi, ORG_B, PRO_B)
    notes = vi.notifications_for(org(ORG_A.id))
    assert vi.acknowledge(org(ORG_A.id), [n.id for n in notes]) == 1
    vi.signal(first.signal.id, actor(PRO_A))
    events = [e.event for e in vi._store.audit_entries()]
    assert events[-3:] == [
        AuditEvent.READ_NOTIFICATIONS,
        AuditEvent.ACKNOWLEDGE,
        AuditEvent.READ_SIGNAL,
    ]


def test_a_professional_sees_only_their_own_outbox(vi: Verwijsindex) -> None:
    reg(vi)
    reg(vi, ORG_A, PRO_A2, who=SIBLING, dob=child_born(3))
    reg(vi, ORG_B, PRO_B)
    assert len(vi.notifications_for(actor(PRO_A))) == 1
    assert vi.notifications_for(actor(PRO_A2)) == []
    notes = vi.notifications_for(org(ORG_A.id))
    assert vi.acknowledge(actor(PRO_A2), [n.id for n in notes]) == 0
    assert vi.acknowledge(actor(PRO_A), [n.id for n in notes]) == 1


def test_statistics_hold_no_subject_data(vi: Verwijsindex) -> None:
    reg(vi)
    reg(vi, ORG_B, PRO_B)
    stats = vi.statistics()
    assert (stats.subjects, stats.signals_active, stats.matches_direct) == (1, 2, 1)
    assert stats.notifications_pending == 2 and stats.audit_entries == 2
    assert "vi1." not in stats.model_dump_json()


def test_records_and_audit_entries_mask_pseudonyms(vi: Verwijsindex) -> None:
    reg(vi)
    (record,) = list(vi._store.subjects())
    (entry,) = list(vi._store.audit_entries())
    for thing in (record, entry):
        assert KID.text not in repr(thing) and KID.text[13:] not in repr(thing)
    assert "…" in repr(record) and "…" in repr(entry)


# --- key rotation (docs/pseudonymisation.md) ---------------------------------------------------


def test_a_rotation_window_matches_under_either_key() -> None:
    """Register under key 1, rotate, register under key 2: one match. After key 1 is dropped
    a subject seen during the window is still found; one not seen is a new subject."""
    store = STORE_FACTORIES["memory"]()
    clock = FixedClock(datetime.combine(TODAY, datetime.min.time()))
    ring = KeyRing.generate()
    before = Verwijsindex(store, pseudonymiser=Pseudonymiser(ring), clock=clock)
    seen, unseen = Bsn("111222333"), Bsn("123456782")
    before.register(
        seen, date_of_birth=DOB, organisation=ORG_A, professional=PRO_A, municipality="GM0518"
    )
    before.register(
        unseen, date_of_birth=DOB, organisation=ORG_A, professional=PRO_A, municipality="GM0518"
    )
    rotated = ring.rotate()
    during = Verwijsindex(store, pseudonymiser=Pseudonymiser(rotated), clock=clock)
    second = during.register(
        seen, date_of_birth=DOB, organisation=ORG_B, professional=PRO_B, municipality="GM0518"
    )
    assert len(second.matches) == 1
    # Shown under the new key.
    assert second.signal.subject.key_id == Pseudonymiser(rotated).active_key_id
    (old,) = rotated.retired
    after = Verwijsindex(store, pseudonymiser=Pseudonymiser(rotated.drop(old.id)), clock=clock)
    third = after.register(
        seen, date_of_birth=DOB, organisation=ORG_C, professional=PRO_C, municipality="GM0518"
    )
    assert len(third.matches) == 2  # found under the new key alone
    lost = after.register(
        unseen, date_of_birth=DOB, organisation=ORG_B, professional=PRO_B, municipality="GM0518"
    )
    assert lost.matches == ()  # never seen during the window: a new subject (documented)
    assert len(list(store.subjects())) == 3
