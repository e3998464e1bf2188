"""A finite-difference gradient checker (C15): a claimed derivative against the definition
f′(a) = lim (f(a+h) − f(a))/h, with bounds derived from the method, honest about kinks, and cheap.

`check_elementwise(f, df, x)` checks an elementwise f′ at every element; `check_gradient(f, x, grad)` the
gradient of a scalar f of an array, at every element or along random directions; `assert_*` raise.
docs/gradcheck.md explains the methods, the bounds, kinks and dtypes.
"""

from handmlp.gradcheck.elementwise import assert_elementwise, check_elementwise, elementwise_derivative
from handmlp.gradcheck.gradient import assert_gradient, check_gradient
from handmlp.gradcheck.results import GradcheckResult, Kink

__all__ = [
    "GradcheckResult",
    "Kink",
    "assert_elementwise",
    "assert_gradient",
    "check_elementwise",
    "check_gradient",
    "elementwise_derivative",
]
