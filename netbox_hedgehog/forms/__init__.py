from .bulk_edit import *
from .bulk_import import *
from .fields import *
from .filtersets import *
from .model_forms import *
