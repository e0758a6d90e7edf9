"""Planning solvers (the domain's `PlanSolver` port): the LP on HiGHS."""
