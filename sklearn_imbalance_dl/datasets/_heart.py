"""The Cleveland heart-disease table shipped with the package (UCI, CC BY 4.0)."""

from importlib import resources

import numpy as np

__all__ = ["load_heart_disease"]

#: The file in ``sklearn_imbalance_dl/datasets/data`` (its README gives source and licence).
HEART_DISEASE_FILE = "heart_disease_cleveland.csv"
#: Its label column.
HEART_DISEASE_TARGET = "num"


def heart_disease_path():
    """Path of the shipped CSV file (a real file inside the installed package)."""
    return resources.files("sklearn_imbalance_dl.datasets").joinpath("data", HEART_DISEASE_FILE)


def load_heart_disease():
    """The Cleveland heart-disease table: 303 patients, 5 imbalanced classes.

    A real, natively imbalanced multi-class table with mixed columns: 6 numeric (age,
    blood pressure, cholesterol, maximum heart rate, ST depression, number of vessels
    coloured by fluoroscopy) and 7 categorical (sex, chest pain type, fasting blood
    sugar, resting ECG, exercise-induced angina, ST slope, thallium scan), with 6
    missing values. The label is the angiographic diagnosis: 0 (no heart disease,
    164 patients), then increasing severity 1 (55), 2 (36), 3 (35) and 4 (13), an
    imbalance ratio of 12.6. The default table of ``sklearn-imbalance-dl compare``.

    Returns
    -------
    X : DataFrame of shape (303, 13)
        String columns as ``category`` dtype, whole-number columns as integers
        (``ca``, which has missing values, as float), ``oldpeak`` as float.
    y : ndarray of shape (303,)
        The diagnosis, integers 0-4.

    Notes
    -----
    Source: the UCI Heart Disease data set, ``processed.cleveland.data`` (Janosi,
    Steinbrunn, Pfisterer and Detrano 1989; Cleveland Clinic Foundation; see [1]_),
    https://doi.org/10.24432/C52P4X, under the Creative Commons Attribution 4.0
    licence. The coded categories are written as the labels of the data set's
    documentation; ``sklearn_imbalance_dl/datasets/data/README.md`` lists the changes.

    References
    ----------
    .. [1] Detrano, R. et al. (1989). International application of a new probability
       algorithm for the diagnosis of coronary artery disease. American Journal of
       Cardiology 64(5), 304-310.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_imbalance_dl.datasets import load_heart_disease
    >>> X, y = load_heart_disease()
    >>> X.shape, np.bincount(y).tolist()
    ((303, 13), [164, 55, 36, 35, 13])
    >>> X["cp"].cat.categories.tolist()
    ['asymptomatic', 'atypical angina', 'non-anginal pain', 'typical angina']
    """
    import pandas as pd

    with resources.as_file(heart_disease_path()) as path:
        df = pd.read_csv(path)
    y = df.pop(HEART_DISEASE_TARGET).to_numpy(dtype=np.int64)
    for column in df.columns:
        # Object, or pandas' string dtype where strings are inferred as such
        # (future.infer_string, the default of pandas 3).
        if not pd.api.types.is_numeric_dtype(df[column]):
            df[column] = df[column].astype("category")
    return df, y
