import pytest

from harness.registry import Registry, RegistryError, judges, sources


def test_register_build_and_record_spec():
    reg: Registry = Registry("widget")

    class Widget:
        def __init__(self, size):
            self.size = size

    @reg("square")
    def square(size: int = 2):
        """A square widget."""
        return Widget(size)

    built = reg.build("square", size=5)
    assert built.size == 5
    assert built.plugin_spec == {"kind": "widget", "name": "square", "params": {"size": 5}}
    assert reg.get("square").doc == "A square widget."
    assert reg.names() == ["square"]


def test_typo_suggests_the_close_name():
    reg: Registry = Registry("widget")
    reg("square")(lambda: object())
    with pytest.raises(RegistryError, match="did you mean 'square'"):
        reg.get("sqaure")


def test_same_name_from_another_module_is_refused():
    reg: Registry = Registry("widget")

    def a():
        return 1

    def b():
        return 2

    b.__module__ = "somewhere.else"
    reg("x")(a)
    with pytest.raises(RegistryError, match="already registered"):
        reg("x")(b)


def test_builtins_load_lazily():
    assert {"oracle", "prompted"} <= set(judges.names())
    assert {"parameter_contrast", "self_reward", "oracle"} <= set(sources.names())
