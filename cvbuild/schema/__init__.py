"""Stage 2: the validated Profile model and the checks that locate every problem."""

from cvbuild.schema.fields import PartialDate
from cvbuild.schema.model import DocumentSpec, Profile, Publication

__all__ = ["DocumentSpec", "PartialDate", "Profile", "Publication"]
