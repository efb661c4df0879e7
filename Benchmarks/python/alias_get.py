"""The Python peer of `mlops alias get`: a whole process that imports mlflow and reads one alias."""
import sys

from mlflow import MlflowClient

version = MlflowClient().get_model_version_by_alias(sys.argv[1], sys.argv[2])
print(version.version)
