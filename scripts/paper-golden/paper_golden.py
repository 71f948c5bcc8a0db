#!/usr/bin/env python3
"""Write paper-serializer golden texts with the paper's own code, as the goldens' READMEs say.

Runs stefanhgm/ehrshot-benchmark's `ehr_serializer.py`, `ehr_simple_serializer.py` and
`ehr_serializer_factory.py` unchanged, and `LLMFeaturizer.preprocess` /
`LLMFeaturizer.resolve_code_with_custom_ontologies` taken from `llm_featurizer.py` at run time
(AST source segments bound to a small class), from a checkout the caller names. Nothing of that
code is in this repository. femr's C++ parts and what the two strategies never call are small
stand-ins written here (femr 0.1's `Event` semantics: missing attributes read as None).

Input: the output of `export-events.ts` (MEDS rows per subject, code descriptions) and a
`pairs.json` (subject_id, prediction_time, file, list_file). Output: `<file>` (Markdown,
`UniqueThenListVisitsWOAllCondsWithValuesStrategy(num_aggregated_events=3)`,
filter_aggregated_events=True) and `<list_file>` (`UniqueCodesListRecentStrategy(0,
ablation=[])`), `--excluded_ontologies no_unres`, per pair.

MEDS rows -> femr events (test/fixtures/paper-serializer/*/README.md):
- value = numeric_value when not null, else text_value; unit = the `unit` column; end = `end`.
- the birth row (MEDS_BIRTH) first, then the static rows (no time) at the birth time, then the
  other rows sorted stably by time.
- HOSPITAL_ADMISSION//... -> `Visit/IP` ending at the HOSPITAL_DISCHARGE//... with the same
  hadm_id, or, where a row has no hadm_id (a standard-columns export), at the next discharge
  after it in that order; ED_REGISTRATION -> `Visit/ER` ending at the next ED_OUT. Discharge
  and ED_OUT rows are these ends, not events.
- a `visit_id` column (ehr-embed's converters: `Visit/<class>` rows with `end`) is used as it is;
  MIMIC rows without one get the visit_id of their visit as follows.
- visit_id of another row: the admission of its hadm_id when that admission is in the record;
  else the latest-started visit with start <= time <= end (no end: unbounded; equal starts: the
  later visit); else none.
- descriptions: codes.json, else the code itself; `Visit/IP` "Inpatient Visit", `Visit/ER`
  "Emergency Room Visit" (EHRSHOT's femr names).

  python3 scripts/paper-golden/paper_golden.py --reference <ehrshot-benchmark checkout> \\
      --events <export dir> --pairs <pairs.json> --out <dir>
"""
import argparse
import ast
import json
import os
import re
import sys
import textwrap
import types
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple


class Event:
    """femr 0.1 semantics: start, code, value, any other field; unknown fields read as None."""

    def __init__(self, start, code, value=None, **kwargs):
        self.__dict__['start'] = start
        self.__dict__['code'] = code
        self.__dict__['value'] = value
        for k, v in kwargs.items():
            if v is not None:
                self.__dict__[k] = v

    def __getattr__(self, name):
        return None


class Patient:
    def __init__(self, patient_id, events):
        self.patient_id = patient_id
        self.events = events


class Ontology:
    def __init__(self, descriptions):
        self.descriptions = descriptions

    def get_text_description(self, code):
        return self.descriptions.get(code, code)


DATABASE: Dict[int, Patient] = {}
ONTOLOGY = Ontology({})


class PatientDatabase:
    def __init__(self, path):
        pass

    def get_ontology(self):
        return ONTOLOGY

    def __getitem__(self, pid):
        return DATABASE[pid]


class LabelTask:
    def __init__(self, time, value, task):
        self.time = time
        self.value = value
        self.task = task


def install_stubs():
    femr = types.ModuleType('femr')
    femr.Event = Event
    femr.Patient = Patient
    ext = types.ModuleType('femr.extension')
    datasets = types.ModuleType('femr.extension.datasets')
    datasets.Ontology = Ontology
    datasets.PatientDatabase = PatientDatabase
    ext.datasets = datasets
    femr.extension = ext
    sys.modules.update({'femr': femr, 'femr.extension': ext, 'femr.extension.datasets': datasets})
    # Imported by ehr_serializer.py for strategies not run here.
    m2j = types.ModuleType('markdown_to_json')
    j2x = types.ModuleType('json2xml')
    j2x.json2xml = None
    j2xu = types.ModuleType('json2xml.utils')
    j2xu.readfromstring = None
    sys.modules.update({'markdown_to_json': m2j, 'json2xml': j2x, 'json2xml.utils': j2xu})


def featurizer_class(reference):
    """A class with LLMFeaturizer's preprocess and resolve_code_with_custom_ontologies, verbatim."""
    from serialization.ehr_serializer import AGGREGATED_EVENTS_CODES_LOINC, SerializationStrategy
    from serialization.ehr_serializer_factory import make_serializer_for_strategy
    from serialization.ehr_simple_serializer import SerializationSimpleStrategy
    path = os.path.join(reference, 'ehrshot', 'llm_featurizer.py')
    src = open(path, encoding='utf-8').read()
    tree = ast.parse(src)
    methods = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == 'LLMFeaturizer':
            for f in node.body:
                if isinstance(f, ast.FunctionDef) and f.name in ('preprocess', 'resolve_code_with_custom_ontologies'):
                    methods[f.name] = ast.get_source_segment(src, f)
    age_identifier = [ast.get_source_segment(src, n) for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, 'id', '') == 'age_identifier' for t in n.targets)]
    assert len(methods) == 2 and len(age_identifier) == 1, 'llm_featurizer.py has changed'
    ns: Dict[str, Any] = {
        'Optional': Optional, 'List': List, 'Tuple': Tuple, 'Dict': Dict, 'datetime': datetime, 'timedelta': timedelta,
        'Event': Event, 'Patient': Patient, 'PatientDatabase': PatientDatabase, 'Ontology': Ontology, 'LabelTask': LabelTask,
        'extension_datasets': sys.modules['femr.extension.datasets'],
        'AGGREGATED_EVENTS_CODES_LOINC': AGGREGATED_EVENTS_CODES_LOINC, 'SerializationStrategy': SerializationStrategy,
        'SerializationSimpleStrategy': SerializationSimpleStrategy, 'make_serializer_for_strategy': make_serializer_for_strategy,
        # femr 0.1: the birth date is the patient's first event.
        'get_patient_birthdate': lambda patient: patient.events[0].start,
    }
    exec(age_identifier[0], ns)
    body = 'class Featurizer:\n' + textwrap.indent(textwrap.dedent(methods['resolve_code_with_custom_ontologies']), '    ') + '\n' + textwrap.indent(textwrap.dedent(methods['preprocess']), '    ') + '\n'
    exec(body, ns)
    return ns['Featurizer'], SerializationSimpleStrategy


def utc(ms):
    # Naive datetimes in UTC, as femr's.
    return datetime(1970, 1, 1) + timedelta(milliseconds=ms)


def femr_events(rows):
    """The README's mapping of one subject's MEDS rows to femr events."""
    births = [i for i, r in enumerate(rows) if r['code'] == 'MEDS_BIRTH' and r['time'] is not None]
    birth = min(births, key=lambda i: (rows[i]['time'], i)) if births else None
    statics = [r for r in rows if r['time'] is None]
    timed = sorted([(r['time'], i) for i, r in enumerate(rows) if r['time'] is not None and i != birth])
    ordered = ([rows[birth]] if birth is not None else []) + [rows[i] for _, i in timed]
    birth_time = rows[birth]['time'] if birth is not None else (timed[0][0] if timed else 0)
    # Visits and their ends, from rows in this order.
    visits = []  # dicts: start, end, code, row index in `ordered`, hadm
    by_hadm = {}
    open_no_hadm, open_ed = [], []
    end_rows = set()
    for k, r in enumerate(ordered):
        c = r['code']
        if r['time'] is None or (k == 0 and birth is not None):
            continue
        if c.startswith('HOSPITAL_ADMISSION'):
            v = {'start': r['time'], 'end': None, 'code': 'Visit/IP', 'row': k, 'hadm': r['hadm_id']}
            visits.append(v)
            if r['hadm_id'] is not None:
                by_hadm.setdefault(str(r['hadm_id']), v)
            else:
                open_no_hadm.append(v)
        elif c.startswith('HOSPITAL_DISCHARGE'):
            end_rows.add(k)
            if r['hadm_id'] is not None:
                v = by_hadm.get(str(r['hadm_id']))
                if v is not None and v['end'] is None:
                    v['end'] = r['time']
            else:
                for v in open_no_hadm:
                    v['end'] = r['time']
                open_no_hadm = []
        elif c == 'ED_REGISTRATION' or c.startswith('ED_REGISTRATION//'):
            v = {'start': r['time'], 'end': None, 'code': 'Visit/ER', 'row': k, 'hadm': None}
            visits.append(v)
            open_ed.append(v)
        elif c == 'ED_OUT' or c.startswith('ED_OUT//'):
            end_rows.add(k)
            for v in open_ed:
                v['end'] = r['time']
            open_ed = []
    # Discharges with a hadm_id read before their admission (same time) still end it.
    for k, r in enumerate(ordered):
        if r['code'].startswith('HOSPITAL_DISCHARGE') and r['hadm_id'] is not None:
            v = by_hadm.get(str(r['hadm_id']))
            if v is not None and v['end'] is None:
                v['end'] = r['time']
    for n, v in enumerate(visits):
        v['id'] = n + 1
    visit_rows = {v['row']: v for v in visits}

    def visit_of(r):
        if r['hadm_id'] is not None and str(r['hadm_id']) in by_hadm:
            return by_hadm[str(r['hadm_id'])]['id']
        best = None
        for v in visits:
            if v['start'] <= r['time'] and (v['end'] is None or r['time'] <= v['end']):
                if best is None or v['start'] >= best['start']:
                    best = v
        return None if best is None else best['id']

    def value(r):
        return r['numeric_value'] if r['numeric_value'] is not None else r['text_value']

    def end_of(r):
        e = r.get('end')
        if e is None:
            return None
        if isinstance(e, (int, float)):
            return utc(e)
        return datetime.strptime(e[:19], '%Y-%m-%dT%H:%M:%S')

    out = []
    for k, r in enumerate(ordered):
        if k in end_rows:
            continue
        if k in visit_rows:
            v = visit_rows[k]
            out.append(Event(utc(r['time']), v['code'], None, end=None if v['end'] is None else utc(v['end']), visit_id=v['id']))
            continue
        t = r['time']
        # A `visit_id` column (ehr-embed's converters, EHRSHOT: `Visit/<class>` rows) is used as it is.
        vid = r.get('visit_id')
        if vid is None and not (k == 0 and birth is not None):
            vid = visit_of(r)
        ev = Event(utc(t), r['code'], value(r), end=end_of(r), unit=r['unit'], visit_id=vid)
        out.append(ev)
        if k == 0 and birth is not None:
            for s in sort_statics(statics):
                out.append(Event(utc(birth_time), s['code'], value(s), unit=s['unit']))
    if birth is None:
        out = [Event(utc(birth_time), s['code'], value(s), unit=s['unit']) for s in sort_statics(statics)] + out
    return out


def sort_statics(statics):
    """EHRSHOT's order of static rows: sex, race, ethnicity, then the rest (input order)."""
    def rank(r):
        c = r['code'].upper()
        return 0 if c.startswith(('GENDER', 'SEX')) else 1 if c.startswith('RACE') else 2 if c.startswith('ETHNICITY') else 3
    return sorted(statics, key=rank)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reference', required=True)
    ap.add_argument('--events', required=True)
    ap.add_argument('--pairs', required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    install_stubs()
    sys.path.insert(0, os.path.join(a.reference, 'ehrshot'))
    from serialization.ehr_serializer import UniqueThenListVisitsWOAllCondsWithValuesStrategy
    from serialization.ehr_simple_serializer import UniqueCodesListRecentStrategy
    Featurizer, SimpleStrategy = featurizer_class(a.reference)
    descriptions = json.load(open(os.path.join(a.events, 'codes.json'), encoding='utf-8'))
    # The visit codes and names of EHRSHOT's femr data.
    ONTOLOGY.descriptions = {**descriptions, 'Visit/IP': 'Inpatient Visit', 'Visit/ER': 'Emergency Room Visit'}
    for line in open(os.path.join(a.events, 'events.ndjson'), encoding='utf-8'):
        if line.strip():
            s = json.loads(line)
            DATABASE[s['subject_id']] = Patient(s['subject_id'], femr_events(s['rows']))
    cvx = {c.split('/', 1)[1].strip().lower(): d for c, d in descriptions.items() if c.startswith('CVX/')}
    custom = {'CPT4': {}, 'ICD10PCS': {}, 'CVX': cvx}
    os.makedirs(a.out, exist_ok=True)
    pairs = json.load(open(a.pairs, encoding='utf-8'))
    for strategy, filt, key in [(UniqueThenListVisitsWOAllCondsWithValuesStrategy(num_aggregated_events=3), True, 'file'),
                                (UniqueCodesListRecentStrategy(0, ablation=[]), False, 'list_file')]:
        f = Featurizer()
        f.serialization_strategy = strategy
        f.task_to_instructions = {}
        f.excluded_ontologies = ['CARE_SITE', 'ICDO3']
        f.filter_aggregated_events = filt
        f.time_window = None
        f.pid_label_idx_serializations = {}
        f.pid_to_embedding_idx = {}
        f.custom_ontologies = custom
        f.re_custom_ontologies = re.compile(r"^(" + "|".join(custom.keys()) + r")\/")
        f.re_exclude_description_prefixes = None if isinstance(strategy, SimpleStrategy) else re.compile(r"^(Birth)")
        for p in pairs:
            t = datetime.strptime(p['prediction_time'], '%Y-%m-%dT%H:%M:%SZ')
            f.preprocess('db', p['subject_id'], [(t, 'task')])
            _, text = f.pid_label_idx_serializations[(p['subject_id'], 0)]
            with open(os.path.join(a.out, p[key]), 'w', encoding='utf-8', newline='') as fh:
                fh.write(text)
    print(f'{len(pairs)} pairs -> {a.out}')


if __name__ == '__main__':
    main()
