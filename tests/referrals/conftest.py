from tests.referral_fixtures import *  # noqa: F401,F403
from tests.work_fixtures import *  # noqa: F401,F403
