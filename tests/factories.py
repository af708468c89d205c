"""factory_boy factories for the people, places and work the tests tell stories about.

Every name and address here is invented. A person's resident registration number
is never stored: ``PersonFactory(rrn=…)`` goes through ``households.services.
person_create``, which keeps only its keyed hash and masked form.

Most tests stand on the demo district (the ``demo`` fixture: 영등포구, its 18 dongs
and the demo logins); pass its dongs and users in, e.g.
``HouseholdFactory(dong=dongs["신길1동"])``. Used alone, a factory makes what it
needs: ``DiscoveryAlertFactory()`` brings a household, a dong and 영등포구 along.
"""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from households.models import District, Dong, Household, Membership, Organization, Person, Role
from households.services import household_create, person_create
from outreach.models import (
    Case,
    CheckIn,
    DiscoveryAlert,
    DiscoveryTarget,
    Pairing,
    RiskAssessment,
    SignalBatch,
    SignalChunk,
    Visit,
)
from referrals.models import GatekeeperPlace, Referral, Service, ServiceLink
from referrals.services import due_date_for, referral_submit

# Invented given names; combined with common surnames they name nobody in particular.
SURNAMES = "김이박최정강조윤장임"
GIVEN_NAMES = ["이웃", "다정", "보람", "한결", "새봄", "누리", "가온", "하람", "미르", "솔빛"]


def korean_name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[(n // len(SURNAMES)) % len(GIVEN_NAMES)]


class BackdatedFactory(DjangoModelFactory):
    """Lets a test say when something happened although the model stamps it on insert.

    ``auto_now_add`` fields ignore a value given to ``create``; the ones listed in
    ``_backdated`` are written with an UPDATE right after the row exists.
    """

    _backdated: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        moments = {f: kwargs.pop(f) for f in cls._backdated if kwargs.get(f) is not None}
        kwargs = {f: v for f, v in kwargs.items() if f not in cls._backdated}
        obj = super()._create(model_class, *args, **kwargs)
        if moments:
            model_class.objects.filter(pk=obj.pk).update(**moments)
            for name, value in moments.items():
                setattr(obj, name, value)
        return obj


# --- places -------------------------------------------------------------------------------

class DistrictFactory(DjangoModelFactory):
    """영등포구 unless told otherwise (the demo's district when it is already there)."""

    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = "11560"
    name = "영등포구"


class DongFactory(DjangoModelFactory):
    class Meta:
        model = Dong
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    # Outside the demo's real 행정동 codes (1156051000 …), so both live side by side.
    code = factory.Sequence(lambda n: f"115609{n % 10000:04d}")
    name = factory.Sequence(lambda n: f"새마을{n + 1}동")
    short_name = factory.SelfAttribute("name")


class HouseholdFactory(DjangoModelFactory):
    """A household, made by ``households.services.household_create``."""

    class Meta:
        model = Household

    dong = factory.SubFactory(DongFactory)
    road_address = factory.Sequence(lambda n: f"서울특별시 영등포구 신길로 {n + 1}")
    address_detail = ""

    @classmethod
    def _create(cls, model_class, *args, dong, road_address, address_detail="", **flags):
        return household_create(dong=dong, road_address=road_address,
                                address_detail=address_detail, **flags)


class PersonFactory(DjangoModelFactory):
    """A member, made by ``households.services.person_create`` (an RRN only as its hash)."""

    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(korean_name)
    is_head = False
    rrn = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return person_create(**kwargs)


class HeadOfHouseholdFactory(PersonFactory):
    is_head = True


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"test-org-{n}")
    name = factory.Sequence(lambda n: f"새마을나눔복지관 {n + 1}")
    kind = Organization.Kind.WELFARE_CENTRE


# --- people who sign in ---------------------------------------------------------------------

class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Sequence(korean_name)
    password = factory.django.Password("doorstep-demo")


class MembershipFactory(DjangoModelFactory):
    """A role over a dong (staff, volunteers), the district or an organization."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.DONG_STAFF
    dong = factory.SubFactory(DongFactory)

    class Params:
        volunteer = factory.Trait(role=Role.VOLUNTEER)
        case_manager = factory.Trait(role=Role.CASE_MANAGER, dong=None,
                                     district=factory.SubFactory(DistrictFactory))
        partner = factory.Trait(role=Role.PARTNER, dong=None,
                                organization=factory.SubFactory(OrganizationFactory))
        agency_feed = factory.Trait(role=Role.AGENCY_FEED, dong=None,
                                    organization=factory.SubFactory(OrganizationFactory))


class DongStaffFactory(UserFactory):
    """동 복지담당: ``DongStaffFactory(membership__dong=dongs["여의동"])``."""

    username = factory.Sequence(lambda n: f"staff-{n}")
    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="user")


class VolunteerFactory(UserFactory):
    """자원봉사자 of a dong, in a group such as 복지통장 or 좋은이웃들."""

    username = factory.Sequence(lambda n: f"volunteer-{n}")
    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="user",
                                        volunteer=True, group="복지통장")


class PartnerUserFactory(UserFactory):
    """협력기관 login: ``PartnerUserFactory(membership__organization=police)``."""

    username = factory.Sequence(lambda n: f"partner-{n}")
    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="user",
                                        partner=True)


class AgencyFeedUserFactory(UserFactory):
    """위기정보 제공기관: the login an agency's file upload comes from."""

    username = factory.Sequence(lambda n: f"feed-{n}")
    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="user",
                                        agency_feed=True)


# --- referrals and service links ------------------------------------------------------------

class ReferralFactory(DjangoModelFactory):
    """A referral taken in by ``referrals.services.referral_submit`` (its duplicate checks
    and household matching included)."""

    class Meta:
        model = Referral

    channel = Referral.Channel.VOLUNTEER
    dong = factory.SubFactory(DongFactory)
    road_address = "서울 영등포구 신길로 41"
    urgency = Referral.Urgency.SOON
    categories = factory.LazyFunction(lambda: ["meals"])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        referral, _created = referral_submit(**kwargs)
        return referral


class GatekeeperPlaceFactory(DjangoModelFactory):
    """A gatekeeper place (pharmacy by default) with its random code."""

    class Meta:
        model = GatekeeperPlace

    kind = GatekeeperPlace.Kind.PHARMACY
    name = "온누리약국"
    road_address = "신길로 60"
    dong = factory.SubFactory(DongFactory)


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("name",)

    name = "푸드뱅크 식품 지원 (표본)"
    sector = Service.Sector.PRIVATE
    provider_kind = Organization.Kind.FOOD_BANK
    domain = "food"


class ServiceLinkFactory(BackdatedFactory):
    _backdated = ("requested_at",)

    class Meta:
        model = ServiceLink

    household = factory.SubFactory(HouseholdFactory)
    service = factory.SubFactory(ServiceFactory)
    provider = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.FOOD_BANK)
    requested_by = factory.SubFactory(UserFactory)
    requested_at = None


# --- finding people: assessments and alerts --------------------------------------------------

class RiskAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    household = factory.SubFactory(HouseholdFactory)
    score = 80
    level = "high"
    factors = factory.LazyFunction(lambda: [{"code": "power_cutoff", "months": 2}])


class SignalBatchFactory(DjangoModelFactory):
    """An agency file as the pipeline leaves it; no file on disk (progress reads the rows)."""

    class Meta:
        model = SignalBatch

    source = factory.SubFactory(OrganizationFactory)
    channel = SignalBatch.Channel.UPLOAD
    original_name = factory.Sequence(lambda n: f"단전-{n + 1}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    size_bytes = 1024
    file_format = "csv"
    status = SignalBatch.Status.PARSING


class SignalChunkFactory(DjangoModelFactory):
    """A chunk of a batch; pass ``stats`` with the counts of a done one."""

    class Meta:
        model = SignalChunk

    batch = factory.SubFactory(SignalBatchFactory)
    phase = SignalChunk.Phase.PARSE
    number = factory.Sequence(lambda n: n)
    status = SignalChunk.Status.PENDING


class DiscoveryAlertFactory(BackdatedFactory):
    """An open alert; ``scored=True`` brings the assessment that raised it."""

    _backdated = ("opened_at",)

    class Meta:
        model = DiscoveryAlert

    household = factory.SubFactory(HouseholdFactory)
    assessment = None
    # As scoring does: the alert keeps its assessment's level and score (the inbox sorts
    # by them).
    level = factory.LazyAttribute(lambda o: o.assessment.level if o.assessment else "")
    score = factory.LazyAttribute(lambda o: o.assessment.score if o.assessment else None)
    due_on = factory.LazyFunction(timezone.localdate)
    opened_at = None

    class Params:
        scored = factory.Trait(
            assessment=factory.SubFactory(RiskAssessmentFactory,
                                          household=factory.SelfAttribute("..household")),
            due_on=factory.LazyFunction(lambda: due_date_for(2)),
        )


class DiscoveryTargetFactory(DjangoModelFactory):
    class Meta:
        model = DiscoveryTarget

    dong = factory.SubFactory(DongFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    target = 5


# --- following through: visits, cases, pairings and check-ins --------------------------------

class VisitFactory(DjangoModelFactory):
    """A scheduled visit; give ``outcome`` (and ``visited_at``) for one that took place."""

    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    staff = factory.SubFactory(DongStaffFactory,
                               membership__dong=factory.SelfAttribute("...household.dong"))
    scheduled_for = factory.LazyFunction(timezone.now)


class CaseFactory(BackdatedFactory):
    _backdated = ("opened_at",)

    class Meta:
        model = Case

    household = factory.SubFactory(HouseholdFactory)
    manager = factory.SubFactory(UserFactory)
    stage = Case.Stage.INTAKE
    # 통합사례관리 지침: the plan is due within 30 days of intake.
    plan_due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    opened_at = None


class PairingFactory(DjangoModelFactory):
    class Meta:
        model = Pairing

    volunteer = factory.SubFactory(VolunteerFactory,
                                   membership__dong=factory.SelfAttribute("...household.dong"))
    household = factory.SubFactory(HouseholdFactory)
    started_on = factory.LazyFunction(timezone.localdate)


class CheckInFactory(DjangoModelFactory):
    class Meta:
        model = CheckIn

    pairing = factory.SubFactory(PairingFactory)
    at = factory.LazyFunction(timezone.now)
    kind = CheckIn.Kind.MET
    by = factory.SelfAttribute("pairing.volunteer")
