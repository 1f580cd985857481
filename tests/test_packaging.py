"""The package ships its templates, seed data and scenario packs (mapped into it from the
top of the source tree by pyproject.toml) and finds them through importlib.resources.
.ci/smoke-wheel installs the built wheel and uses it; these tests catch a folder
forgotten in pyproject.toml before that."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from riskkit import config, resources

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"templates": "riskkit.templates", "seed_data": "riskkit.seed_data",
          "exercises": "riskkit.exercises"}


def _package_name(folder: Path) -> str:
    relative = folder.relative_to(ROOT)
    top = relative.parts[0]
    prefix = MAPPED.get(top, top)
    return ".".join([prefix, *relative.parts[1:]])


def test_every_folder_with_files_is_a_package_of_the_wheel():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    folders = [path for top in ("riskkit", *MAPPED) for path in [ROOT / top, *(ROOT / top).rglob("*")]
               if path.is_dir() and path.name != "__pycache__" and "static_src" not in path.parts
               and any(child.is_file() for child in path.iterdir())]
    missing = sorted(_package_name(folder) for folder in folders)
    assert sorted(set(missing) - listed) == []
    assert {top: setuptools["package-dir"][name] for top, name in MAPPED.items()} == {
        top: top for top in MAPPED}


def test_every_data_file_of_a_shipped_folder_is_package_data():
    """A file type missing from package-data is left out of the wheel silently (the
    fonts the reports embed, say), and the installed app fails where the checkout works."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = setuptools["package-data"]["*"]
    files = [path for top in ("riskkit", *MAPPED) for path in (ROOT / top).rglob("*")
             if path.is_file() and path.suffix not in (".py", ".pyc") and "static_src" not in path.parts]
    assert [str(path.relative_to(ROOT)) for path in files
            if not any(fnmatch(path.name, pattern) for pattern in patterns)] == []
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE.txt"} <= {path.name for path in files}


def test_the_shipped_folders_are_found_through_the_package():
    assert (resources.folder("templates") / "base.html").is_file()
    assert (resources.folder("seed_data") / "registers.yaml").is_file()
    assert (resources.folder("exercises") / "power-outage.yaml").is_file()
    fonts = resources.folder("fonts")
    assert (fonts / "DejaVuSans.ttf").is_file() and (fonts / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream Vera" in (fonts / "LICENSE.txt").read_text()


def test_the_data_directory_is_riskkit_data_dir_when_set(tmp_path):
    settings = config.from_environment({"RISKKIT_DATA_DIR": str(tmp_path / "data")})
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'riskkit.sqlite'}"


def test_a_checkout_keeps_its_data_in_its_instance_folder():
    assert config.from_environment({}).data_dir == ROOT / "instance"
