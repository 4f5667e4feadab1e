from .base import *
from .fabric import *
from .gateway import *
from .inventory import *
from .live import *
from .sync import *
from .vpc import *
from .wiring import *
