"""Every Japanese string a Slack, terminal or web user reads, in one catalogue:
`from bot import messages as m`, then `m.NAME`. The catalogue is split by where the words
are read (one module each, below ~400 lines); every public name of each is here.

Field labels come from `workflow.forms.FIELD_LABELS` (the seed's names); step and action
labels from `workflow.machine`. What is here is the adapter's own wording.
"""

from bot.messages.drift import *  # noqa: F403
from bot.messages.fates import *  # noqa: F403
from bot.messages.slack import *  # noqa: F403
from bot.messages.stores import *  # noqa: F403
from bot.messages.texts import *  # noqa: F403
from bot.messages.tools import *  # noqa: F403
from bot.messages.web import *  # noqa: F403
