"""Broken: the program needs a config value the stack file does not set."""
import pulumi

pulumi.Config().require("fleetSize")
