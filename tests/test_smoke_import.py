import greenstat_client
import greenstat_ext


def test_packages_are_typed() -> None:
    from importlib.resources import files

    assert files(greenstat_client).joinpath("py.typed").is_file()
    assert files(greenstat_ext).joinpath("py.typed").is_file()
