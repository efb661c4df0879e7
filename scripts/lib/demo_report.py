"""Helpers of scripts/demo: read the training summary and the agent's status, build prediction inputs,
and compare what the served models answer with what the trained models predicted.

  demo_report.py get FILE KEY[.KEY...]            print one value of a JSON document
  demo_report.py versions TRAIN                   "VERSION CANDIDATE ACCURACY" lines
  demo_report.py pick-other TRAIN VERSION         a version that predicts differently (else another one)
  demo_report.py input TRAIN OUT                  the sample rows as an MLflow dataframe_split input
  demo_report.py serving STATUS ALIAS             "STATE SERVING_VERSION ENDPOINT" of one alias
  demo_report.py compare TRAIN LABEL=VERSION=RESPONSE...
                                                  a table of the rows and each answer; exit 1 when
                                                  an answer differs from the trained model's
Standard library only.
"""
import json
import sys

SPECIES = ["setosa", "versicolor", "virginica"]


def load(path):
    with open(path) as handle:
        text = handle.read().strip()
    # The training summary is the last line of the script's output.
    return json.loads(text.splitlines()[-1])


def get(document, path):
    value = document
    for key in path.split("."):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def predictions_of(response):
    """The predicted classes in a model server's answer ({"predictions": [...]} or a bare list)."""
    body = json.loads(response) if isinstance(response, str) else response
    if isinstance(body, dict):
        body = body.get("predictions", body)
    return [int(round(float(value))) for value in body]


def species(value):
    return SPECIES[value] if 0 <= value < len(SPECIES) else str(value)


def main(arguments):
    command = arguments[0]
    if command == "get":
        value = get(load(arguments[1]), arguments[2])
        print(json.dumps(value) if isinstance(value, (dict, list)) else value)
    elif command == "versions":
        for version in load(arguments[1])["versions"]:
            print(version["version"], version["candidate"], f'{version["accuracy"]:.4f}')
    elif command == "pick-other":
        train, chosen = load(arguments[1]), arguments[2]
        predictions = train["predictions"]
        others = sorted((v for v in predictions if v != chosen), key=int, reverse=True)
        differing = [v for v in others if predictions[v] != predictions[chosen]]
        print((differing or others)[0])
    elif command == "input":
        sample = load(arguments[1])["sample"]
        with open(arguments[2], "w") as handle:
            json.dump({"dataframe_split": {"columns": sample["columns"], "data": sample["data"]}}, handle)
    elif command == "serving":
        status, alias = json.loads(open(arguments[1]).read()), arguments[2]
        for key in status.get("keys", []):
            if key.get("alias") == alias:
                print(key.get("state") or "-", key.get("serving_version") or "-", key.get("endpoint") or "-")
                return 0
        print("- - -")
    elif command == "compare":
        train = load(arguments[1])
        sample = train["sample"]
        columns, rows = [], []
        ok = True
        for spec in arguments[2:]:
            label, version, response_file = spec.split("=", 2)
            served = predictions_of(open(response_file).read())
            expected = train["predictions"][version]
            columns.append((f"{label} (v{version})", served, expected))
            ok = ok and served == expected
        names = [name.replace(" (cm)", "") for name in sample["columns"]]
        header = names + [title for title, _, _ in columns]
        for index, row in enumerate(sample["data"]):
            cells = [f"{value:.1f}" for value in row]
            for _, served, expected in columns:
                cell = species(served[index]) if index < len(served) else "?"
                if index >= len(served) or served[index] != expected[index]:
                    cell += f" (trained: {species(expected[index])})"
                cells.append(cell)
            rows.append(cells)
        widths = [max(len(str(line[i])) for line in [header] + rows) for i in range(len(header))]
        for line in [header] + rows:
            print("    " + "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip())
        for title, served, expected in columns:
            verdict = "the same as the trained model" if served == expected else "DIFFERENT from the trained model"
            print(f"    {title}: {len(served)} predictions, {verdict}")
        return 0 if ok else 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
