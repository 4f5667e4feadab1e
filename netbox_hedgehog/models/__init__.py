from .base import *
from .fabric import *
from .gateway import *
from .inventory import *
from .sync import *
from .vpc import *
from .wiring import *
