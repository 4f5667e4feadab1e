from .base import *
from .fabric import *
from .gateway import *
from .live import *
from .sync import *
from .vpc import *
from .wiring import *
