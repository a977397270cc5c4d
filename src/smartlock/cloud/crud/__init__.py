"""All database access of the cloud; routes and the MQTT worker call only these.

Functions take the session first and everything else by keyword, and commit.
"""

from smartlock.cloud.crud.accounts import *  # noqa: F403
from smartlock.cloud.crud.commands import *  # noqa: F403
from smartlock.cloud.crud.devices import *  # noqa: F403
from smartlock.cloud.crud.records import *  # noqa: F403
from smartlock.cloud.crud.throttle import *  # noqa: F403
