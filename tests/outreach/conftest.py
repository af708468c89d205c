from tests.work_fixtures import *  # noqa: F401,F403
