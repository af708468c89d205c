"""A referral's life as the person who sent it reads it: 접수 → 확인 중 → 방문 → 지원 연계 → 종결.

What happens to the referral moves it, never backwards: someone is assigned (확인 중), a visit
to the household is recorded (방문), the household gets a service link or a case (지원 연계),
it is closed with a reason (종결, only through ``referral_close``). Plain guarded moves, as
for alerts (``outreach.services.alerts.ALERT_TRANSITIONS``): one dict, no library.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from households.messages import message
from households.particles import particles_fix
from households.services import timeline_add
from referrals.models import Referral

R = Referral.Status

# Which state may follow which. 종결 is reached only with a reason (referral_close).
REFERRAL_TRANSITIONS = {
    R.RECEIVED: {R.CHECKING, R.VISITING, R.LINKED, R.CLOSED},
    R.CHECKING: {R.VISITING, R.LINKED, R.CLOSED},
    R.VISITING: {R.LINKED, R.CLOSED},
    R.LINKED: {R.CLOSED},
    R.CLOSED: set(),
}
# The states in the order a referral lives them.
REFERRAL_LADDER = [R.RECEIVED, R.CHECKING, R.VISITING, R.LINKED, R.CLOSED]


def referral_state_after(status: str, to: str) -> bool:
    """True when ``to`` lies ahead of ``status`` on the referral's ladder."""
    return to in REFERRAL_TRANSITIONS[R(status)]


def referral_next_states(referral: Referral) -> list[str]:
    """The states a worker may move the referral to by hand (not 종결: that needs a reason)."""
    return [s for s in REFERRAL_LADDER
            if s != R.CLOSED and referral_state_after(referral.status, s)]


def referral_move(referral: Referral, to: str) -> bool:
    """Put the referral in state ``to`` (unsaved); False when it is there already, and a
    ValidationError when its life does not allow the move (backwards, or out of 종결)."""
    if referral.status == to:
        return False
    if not referral_state_after(referral.status, to):
        raise ValidationError(particles_fix(
            _("'%(now)s' 상태의 의뢰는 '%(to)s'(으)로 바꿀 수 없습니다.")
            % {"now": referral.get_status_display(), "to": R(to).label}
        ))
    referral.status = to
    referral.status_changed_at = timezone.now()
    return True


def _open_referrals_of(household_id: int):
    return Referral.objects.select_for_update().filter(
        household_id=household_id).exclude(status=R.CLOSED).order_by("id")


def _note(referral: Referral, actor, summary: dict) -> None:
    timeline_add(household_id=referral.household_id, kind="referral", actor=actor,
                 obj=referral, summary=summary)


def referrals_visit_recorded(*, household_id: int, visited_at, met: bool, actor=None) -> int:
    """A visit to the household was recorded: its open referrals not yet further on move
    to 방문; when the household was met, their first contact is stamped (once).
    Returns how many referrals moved. Call inside the visit's transaction."""
    moved = 0
    for referral in _open_referrals_of(household_id):
        changed = []
        if referral_state_after(referral.status, R.VISITING):
            referral_move(referral, R.VISITING)
            changed += ["status", "status_changed_at"]
            moved += 1
        if met and referral.first_contact_at is None:
            referral.first_contact_at = visited_at
            changed.append("first_contact_at")
        if changed:
            referral.save(update_fields=[*changed, "updated_at"])
        if "status" in changed:
            _note(referral, actor, message("referral_status", ref=str(referral),
                                           status=referral.status))
    return moved


def referrals_household_supported(*, household_id: int, actor=None,
                                  what: dict | None = None) -> int:
    """The household got a service link or a case: its open referrals move to 지원 연계.
    Returns how many moved."""
    moved = 0
    for referral in _open_referrals_of(household_id):
        if not referral_move(referral, R.LINKED):
            continue
        referral.save(update_fields=["status", "status_changed_at", "updated_at"])
        _note(referral, actor, message("referral_supported", ref=str(referral),
                                       status=referral.status, what=what or ""))
        moved += 1
    return moved


def referral_public_state(referral: Referral) -> str:
    """The state its sender sees (a merged referral shows the one it lives on in)."""
    if referral.merged_into_id and referral.merged_into is not None:
        return referral.merged_into.status
    if referral.merged_into_alert_id:
        # Merged into a discovery alert: staff keep working on it there.
        return R.CHECKING
    return referral.status


def referral_ladder(referral: Referral) -> list[dict]:
    """The five steps with where the referral stands: done, current, ahead."""
    now = REFERRAL_LADDER.index(R(referral_public_state(referral)))
    return [{"state": s.value, "label": s.label,
             "step": "done" if i < now else "current" if i == now else "ahead"}
            for i, s in enumerate(REFERRAL_LADDER)]
