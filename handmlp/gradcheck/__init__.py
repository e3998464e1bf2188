"""A finite-difference gradient checker (C15): claimed derivatives against f′(a) = lim (f(a+h) − f(a))/h,
with bounds derived from the method. docs/gradcheck.md explains the methods, bounds, kinks and dtypes."""

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
