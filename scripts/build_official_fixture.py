"""Write fixtures/congope_2017_2021.json: CONGOPE's official plan 2017–2021, as printed.

The JSON is what ships (`python manage.py loaddata congope_2017_2021`); this script is the
readable record of how it was made. Every text is copied verbatim from the plan
(tests/data/seed/plan-estrategico-congope-2017-2021.md, read as seed/NOTES.md says), typos
included ("GAPS", "dela", "los interés", "la facilitar"); only the markdown/HTML markup is
left out. tests/test_official_plan.py checks each text against that document.

Run from the project root:  .venv/bin/python scripts/build_official_fixture.py
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "fixtures" / "congope_2017_2021.json"

PLAN_PK = 1
INSTITUTION_PK = 1

# Section 6, in reading order (row by row, left to right). Parent: the chart draws no lines;
# CPER sits beside the Asamblea and AT beside the Subdirector, and every unit below the
# governing line hangs from the Subdirector Ejecutivo, the last governing level drawn above it.
UNITS = [
    ("AGP", "Asamblea General de Prefectos", "gobernante", None),
    ("CPER", "Comisiones permanentes, especiales y representaciones", "gobernante", "AGP"),
    ("CE", "Comisión Ejecutiva", "gobernante", "AGP"),
    ("PRES", "Presidente del CONGOPE", "gobernante", "CE"),
    ("DE", "Director Ejecutivo", "gobernante", "PRES"),
    ("SDE", "Subdirector Ejecutivo", "gobernante", "DE"),
    ("AT", "Articulación Territorial", "gobernante", "SDE"),
    (
        "GEDG",
        "Gestión Estratégica para el desarrollo de los GAD Provinciales",
        "agregador_valor",
        "SDE",
    ),
    ("PGI", "Planificación y Gestión de la Información", "agregador_valor", "SDE"),
    ("RI", "Relaciones Internacionales", "agregador_valor", "SDE"),
    ("VIRD", "Vialidad, vivienda, infraestructura, riego y drenaje", "agregador_valor", "SDE"),
    ("FP", "Fomento Productivo", "agregador_valor", "SDE"),
    ("GA", "Gestión Ambiental", "agregador_valor", "SDE"),
    ("GSIG", "Gestión Social, interculturalidad y género", "agregador_valor", "SDE"),
    ("TI", "Tecnologías de la información", "agregador_valor", "SDE"),
    ("COM", "Comunicación", "agregador_valor", "SDE"),
    ("DAJ", "Dirección de Asesoría Jurídica", "asesoria", "SDE"),
    ("DA", "Dirección Administrativa", "apoyo", "SDE"),
    ("DF", "Dirección Financiera", "apoyo", "SDE"),
    ("ITST", "Infraestructura tecnológica y soporte técnico", "apoyo", "SDE"),
]

# INEC province codes; 20 (Galápagos) has a special regime and no GADP.
GADP = [
    ("01", "Azuay"),
    ("02", "Bolívar"),
    ("03", "Cañar"),
    ("04", "Carchi"),
    ("05", "Cotopaxi"),
    ("06", "Chimborazo"),
    ("07", "El Oro"),
    ("08", "Esmeraldas"),
    ("09", "Guayas"),
    ("10", "Imbabura"),
    ("11", "Loja"),
    ("12", "Los Ríos"),
    ("13", "Manabí"),
    ("14", "Morona Santiago"),
    ("15", "Napo"),
    ("16", "Pastaza"),
    ("17", "Pichincha"),
    ("18", "Tungurahua"),
    ("19", "Zamora Chinchipe"),
    ("21", "Sucumbíos"),
    ("22", "Orellana"),
    ("23", "Santo Domingo de los Tsáchilas"),
    ("24", "Santa Elena"),
]

# Section 7.
MISSION = (
    "Somos una institución de alto valor público encargada del fortalecimiento de capacidades, "
    "la representación y la defensa de la autonomía, la descentralización y los intereses de "
    "los Gobiernos Provinciales del Ecuador en el marco de sus respectivos procesos de "
    "desarrollo territorial."
)
VISION = (
    "Al 2021 seremos reconocidos y lideraremos espacios a nivel nacional regional e "
    "internacional como una institución que promueve la consolidación del nivel intermedio de "
    "Gobierno y los procesos de desarrollo territorial en Ecuador y Latinoamérica."
)
# Section 11 (kept in the plan's notes).
VISION_11 = (
    "Al 2019 seremos reconocidos y lideraremos espacios a nivel nacional regional e "
    "internacional como una institución que promueve la consolidación del nivel intermedio de "
    "Gobierno y los procesos de desarrollo territorial en Ecuador y Latinoamérica."
)
MISSION_11 = (
    "Somos una institución de alto valor público encargada del, fortalecimiento de capacidades, "
    "la representación y la defensa de la autonomía, la descentralización y los intereses de "
    "los Gobiernos Provinciales del Ecuador en el marco de sus respectivos procesos de "
    "desarrollo territorial."
)

NOTES = f"""\
Fuente: «Planificación Estratégica del Consorcio de Gobiernos Provinciales del Ecuador \
2017 – 2021», Dirección Ejecutiva del CONGOPE, septiembre de 2017. Los textos se transcriben \
literalmente, con las erratas del original.

Discrepancias del documento fuente:
- La sección 1 (Presentación) habla del «periodo 2017 – 2019»; el título y las metas \
establecen el periodo 2017 – 2021, que es el del plan.
- La visión de la sección 7 dice «Al 2021»; la de la sección 11 (Cuadro de Mando Integral) \
dice «Al 2019». La visión del plan es la de la sección 7. Texto de la sección 11: «{VISION_11}»
- La misión de la sección 11 difiere de la de la sección 7 en la puntuación («encargada del, \
fortalecimiento»). La misión del plan es la de la sección 7. Texto de la sección 11: \
«{MISSION_11}»
- Las secciones 4 (Estructura de la Planificación Estratégica), 5 (Sistema de planificación \
estratégica aplicado) y 8 (Formulación de Principios de la Institución) son imágenes sin texto \
en la versión disponible: el plan no registra principios.
- Los enunciados de los objetivos difieren ligeramente entre las secciones 9, 10 y 11 \
(«Incrementar presencia» / «Incrementar la presencia»): se registra el de la sección 11, que \
los numera. La sección 9 presenta los objetivos institucionales en el orden 4, 3.
- La cadena de resultados repite códigos; se registran con códigos únicos y se conserva el \
código impreso: R.1.2 → R1.2; el segundo R2.2 del objetivo 2 → R2.3; R2.1 y R2.2 del \
objetivo 3 → R3.1 y R3.2.
- Los indicadores conservan el código impreso (11.1 … 14.1; posiblemente «I1.1 … I4.1»).
- El documento no indica unidades responsables, relaciones causa-efecto entre objetivos, \
líneas base, metas anuales ni qué resultado mide cada indicador."""

# Perspectives: the two groups of section 9.
PERSPECTIVES = [
    ("GADP", "Dirigidos a los Gobiernos Provinciales"),
    ("INST", "Dirigidos a nivel Institucional"),
]

# Section 11's wording and numbering (without the printed "1) "); group and axis from
# section 9, short names from seed/NOTES.md.
OBJECTIVES = [
    (
        "OE1",
        "GADP",
        "Político",
        "Presencia de los GADP en espacios de diálogo y decisión",
        "Incrementar presencia de los GADP en espacios diálogo, construcción de propuestas y "
        "decisión político – técnicos con actores locales y nacionales para la incorporación del "
        "nivel intermedio de Gobierno.",
    ),
    (
        "OE2",
        "GADP",
        "Técnico",
        "Capacidades de gestión e innovación de los GADP",
        "Incrementar capacidades de gestión e innovación en los GADP para asuman el rol Gobierno "
        "Intermedio en el marco de los proceso de desarrollo territorial",
    ),
    (
        "OE3",
        "INST",
        "",
        "Posicionamiento y liderazgo institucional",
        "Incrementar oportunidades de posicionamiento y liderazgo Institucional como una entidad "
        "de alto valor público en espacios de incidencia y representación nacional e "
        "internacional",
    ),
    (
        "OE4",
        "INST",
        "",
        "Capacidades técnico-políticas e innovación institucional",
        "Incrementar capacidades técnico – políticas, gestión e innovación para una gestión "
        "eficiente del servicio público institucional",
    ),
]

# Section 10, in its order. Objective 1's last three continue it across a page break.
STRATEGIES = {
    "OE1": [
        "Desarrollo de reformas legales para la facilitar la incorporación del nivel intermedio "
        "de gobierno",
        "Articulación con los gremios para la generación de propuestas sistemas de planificación "
        "territorial",
        "Diálogo y articulación con Gobierno Central para la definición y alcance de las "
        "intervenciones y políticas entre niveles de gobierno",
        "Defensa de la autonomía y los procesos de descentralización",
        "Representación técnica y política de los interés de los GADP a nivel nacional e "
        "internacional",
        "Apoyo en la generación de políticas públicas locales articuladas con las políticas "
        "nacionales",
        "Construcción de metodologías homologadas y estandarizadas para implementación de "
        "Sistemas de Información Territorial",
        "Construcción de propuestas para la generación de proyectos integrales mancomunados",
    ],
    "OE2": [
        "Generación de propuestas para aportar a la construcción un desarrollo territorial "
        "resiliente mediante la gestión efectiva y coordinada competencias",
        "Desarrollo de planes de fortalecimiento para el mejoramiento, innovación e "
        "implementación de la gestión pública de los GADP",
        "Generación de propuestas para mejorar capacidades de gobernabilidad (definición de "
        "políticas públicas)",
        "Generación de capacidades para la dirección de procesos de competitividad territorial, "
        "sistemas económicos y solidarios del territorio y desarrollo humano y calidad de vida",
        "Generación de Construcción de propuesta para la generación democracias y liderazgos "
        "locales",
        "Construcción de propuestas para la articulación de actores locales en los procesos de "
        "planificación del desarrollo territorial",
        "Generación de propuestas y mecanismos de autofinanciamiento y descentralización fiscal",
        "Impulso de los procesos de internacionalización, búsqueda y captación de recursos para "
        "el desarrollo",
        "Generación de comunidades de aprendizaje e intercambio de experiencias",
    ],
    "OE3": [
        "Participación y liderazgo en redes internacionales de representación de gobiernos "
        "locales y gobiernos intermedios a nivel nacional e internacional",
        "Posicionamiento de la gestión institucional a nivel nacional e internacional",
        "Prestación de servicios técnico - políticos a nivel nacional e internacional",
        "Gestión de acuerdos y alianzas estratégicas nacionales e internacionales",
        "Vinculación con la academia para la generación de investigación e información",
    ],
    "OE4": [
        "Mejoramiento de los conocimientos, habilidades y destrezas de los funcionarios dela "
        "institución",
        "Fortalecimiento tecnológico de la institución",
        "Implementación de un sistema de gestión por resultados y cambio de cultura organizacional",
        "Promoción del crecimiento y reconocimiento del talento humano",
        "Implementación de sistemas de gestión de información y gestión del conocimiento por "
        "área (caja de herramientas)",
    ],
}

# Section 11, "Metas", in column order: (code, printed code if it differs, objective, text,
# target value, target unit, target year) — value/unit/year only where the text states them.
RESULTS = [
    (
        "R1.1",
        "",
        "OE1",
        "Al 2021 se han gestionado las reformas normativas necesarias para fortalecer el nivel "
        "intermedio de gobierno y consolidar la autonomía y los procesos de descentralización.",
        None,
        "",
        2021,
    ),
    (
        "R1.2",
        "R.1.2",
        "OE1",
        "Se han establecido acuerdos nacionales para el mejoramiento de las intervenciones de "
        "política pública en el territorio a través de los GADP",
        None,
        "",
        None,
    ),
    (
        "R2.1",
        "",
        "OE2",
        "Al 2021 al menos el 30% de los GAPS se han posicionado como Gobiernos Intermedios.",
        "30",
        "% de GADP",
        2021,
    ),
    (
        "R2.2",
        "",
        "OE2",
        "Al 2021 al menos el 50% de GAPS innovaron su oferta de productos y servicios para la "
        "gestión de competencias exclusivas.",
        "50",
        "% de GADP",
        2021,
    ),
    (
        "R2.3",
        "R2.2",
        "OE2",
        "A 2021 se ha incrementado e institucionalizado la oferta de asistencia técnica para los "
        "GADP mediante acuerdos nacionales e internacionales",
        None,
        "",
        2021,
    ),
    (
        "R3.1",
        "R2.1",
        "OE3",
        "Al 2021, 13 GADP y el CONGOPE a nivel nacional e internacional han institucionalizado "
        "los espacios de diálogo para el posicionamiento del nivel intermedio de Gobierno y el "
        "desarrollo territorial.",
        "13",
        "GADP",
        2021,
    ),
    (
        "R3.2",
        "R2.2",
        "OE3",
        "Al 2021 CONGOPE liderará redes regionales e internacionales de gobiernos intermedios y "
        "locales",
        None,
        "",
        2021,
    ),
    (
        "R4.1",
        "",
        "OE4",
        "CONGOPE al 2021 ha incrementado la imagen institucional positiva en al menos un 50% de "
        "los GADP.",
        "50",
        "% de GADP",
        2021,
    ),
    (
        "R4.2",
        "",
        "OE4",
        "CONGOPE al 2021 ha incrementado en un 25% la eficiencia en su gestión institucional al "
        "servicio de los GAPS.",
        "25",
        "% de incremento de la eficiencia",
        2021,
    ),
]

# Section 11, "Indicadores de resultados y de gestión": codes as printed.
INDICATORS = [
    (
        "11.1",
        "OE1",
        "Número de propuestas de normas legales presentadas y aprobadas por la Asamblea para la "
        "consolidación del nivel intermedio de gobierno.",
    ),
    ("11.2", "OE1", "Número acuerdos nacionales establecidos"),
    (
        "12.1",
        "OE2",
        "Número de instrumentos (metodologías y/o herramientas) de apoyo a la gestión "
        "institucional implementados.",
    ),
    ("12.2", "OE2", "Número de propuestas innovadoras impulsadas desde el CONGOPE en los GADP."),
    (
        "12.3",
        "OE2",
        "Número de programas y proyectos nacionales e internacionales gestionados para el "
        "fortalecimiento de los GADP",
    ),
    (
        "13.1",
        "OE3",
        "Número de espacios de articulación interinstitucional generados con organismos "
        "nacionales e internacionales impulsados desde el CONGOPE en favor de los GADP.",
    ),
    ("13.2", "OE3", "Número de convenios utilizados / Número de convenios firmados."),
    ("13.3", "OE3", "Número de participación en redes internacionales"),
    (
        "14.1",
        "OE4",
        "Evaluación positiva del 90% de las Autoridades Provinciales en relación al cumplimiento "
        "de los objetivos y metas del CONGOPE.",
    ),
]

# What the source states beyond the name (seed/NOTES.md); everything else keeps the model's
# neutral defaults for planners to configure.
INDICATOR_OVERRIDES = {
    "13.2": {
        "unit_of_measure": "%",
        "calculation": "razon",
        "factor": "100",
        "formula": "(Número de convenios utilizados / Número de convenios firmados) × 100",
    },
    "14.1": {
        "unit_of_measure": "%",
        "calculation": "razon",
        "factor": "100",
        "final_target": "90",
        "final_target_year": 2021,
        "formula": (
            "(Número de Autoridades Provinciales que evalúan positivamente el cumplimiento de "
            "los objetivos y metas del CONGOPE / Número de Autoridades Provinciales que "
            "evalúan) × 100"
        ),
    },
}

# Section 11, "Políticas Institucionales".
POLICIES = [
    "Se promueve el enfoque técnico y político del desarrollo territorial en las intervenciones "
    "de los Gobiernos Provinciales",
    "Se apoya a consolidar los modelos de desarrollo económico productivo de los Gobiernos "
    "Provinciales basados en el fortalecimiento de los sectores de la Economía Popular y "
    "Solidaria",
    "Uso de prácticas innovadoras y tecnológicas para transferir conocimientos y mejorar "
    "capacidades de los Gobiernos Provinciales a través de la gestión del conocimiento",
    "Posicionamiento nacional e internacional Institucional y de los Gobiernos Provinciales",
]


def build() -> list[dict]:
    rows = [
        {
            "model": "planning.institution",
            "pk": INSTITUTION_PK,
            "fields": {
                "code": "CONGOPE",
                "name": "Consorcio de Gobiernos Provinciales del Ecuador",
                "acronym": "CONGOPE",
            },
        }
    ]
    unit_pk = {code: pk for pk, (code, *_rest) in enumerate(UNITS, start=1)}
    for order, (code, name, kind, parent) in enumerate(UNITS, start=1):
        rows.append(
            {
                "model": "planning.orgunit",
                "pk": unit_pk[code],
                "fields": {
                    "institution": INSTITUTION_PK,
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "parent": unit_pk[parent] if parent else None,
                    "order": order,
                },
            }
        )
    for code, province in GADP:
        rows.append(
            {
                "model": "planning.gadp",
                "pk": int(code),
                "fields": {"code": code, "province": province},
            }
        )
    rows.append(
        {
            "model": "planning.plan",
            "pk": PLAN_PK,
            "fields": {
                "institution": INSTITUTION_PK,
                "code": "CONGOPE-2017-2021",
                "name": "Planificación Estratégica del Consorcio de Gobiernos Provinciales del "
                "Ecuador 2017 – 2021",
                "start_year": 2017,
                "end_year": 2021,
                "mission": MISSION,
                "vision": VISION,
                "status": "aprobado",
                "version": 1,
                "issued_by": "Dirección Ejecutiva del CONGOPE",
                "issued_on": "Septiembre – 2017",
                "approved_on": None,
                "notes": NOTES,
                "green_threshold": "85",
                "yellow_threshold": "70",
            },
        }
    )
    for order, text in enumerate(POLICIES, start=1):
        rows.append(
            {
                "model": "planning.institutionalpolicy",
                "pk": order,
                "fields": {"plan": PLAN_PK, "code": f"PI{order}", "order": order, "text": text},
            }
        )
    perspective_pk = {}
    for order, (code, name) in enumerate(PERSPECTIVES, start=1):
        perspective_pk[code] = order
        rows.append(
            {
                "model": "planning.perspective",
                "pk": order,
                "fields": {
                    "plan": PLAN_PK,
                    "code": code,
                    "order": order,
                    "name": name,
                    "description": "",
                    "weight": "1",
                },
            }
        )
    objective_pk = {}
    for order, (code, perspective, axis, short_name, name) in enumerate(OBJECTIVES, start=1):
        objective_pk[code] = order
        rows.append(
            {
                "model": "planning.strategicobjective",
                "pk": order,
                "fields": {
                    "plan": PLAN_PK,
                    "code": code,
                    "order": order,
                    "perspective": perspective_pk[perspective],
                    "name": name,
                    "short_name": short_name,
                    "axis": axis,
                    "description": "",
                    "weight": "1",
                },
            }
        )
    order = 0
    for objective, texts in STRATEGIES.items():
        for number, text in enumerate(texts, start=1):
            order += 1
            rows.append(
                {
                    "model": "planning.strategy",
                    "pk": order,
                    "fields": {
                        "plan": PLAN_PK,
                        "code": f"E{objective[2:]}.{number}",
                        "order": order,
                        "objective": objective_pk[objective],
                        "text": text,
                    },
                }
            )
    for order, (code, printed, objective, text, value, unit, year) in enumerate(RESULTS, 1):
        rows.append(
            {
                "model": "planning.expectedresult",
                "pk": order,
                "fields": {
                    "plan": PLAN_PK,
                    "code": code,
                    "order": order,
                    "objective": objective_pk[objective],
                    "text": text,
                    "printed_code": printed,
                    "target_value": value,
                    "target_unit": unit,
                    "target_year": year,
                },
            }
        )
    for order, (code, objective, name) in enumerate(INDICATORS, start=1):
        fields = {
            "plan": PLAN_PK,
            "code": code,
            "order": order,
            "objective": objective_pk[objective],
            "result": None,
            "name": name,
            "kind": "resultado",
            "unit_of_measure": "",
            "polarity": "creciente",
            "accumulation": "discreto",
            "window": "anual",
            "calculation": "valor",
            "factor": "1",
            "reference": "meta",
            "periodicity": "anual",
            "baseline": None,
            "baseline_year": None,
            "final_target": None,
            "final_target_year": None,
            "responsible_unit": None,
            "green_threshold": None,
            "yellow_threshold": None,
            "weight": "1",
            "formula": "",
        }
        fields.update(INDICATOR_OVERRIDES.get(code, {}))
        rows.append({"model": "planning.indicator", "pk": order, "fields": fields})
    return rows


def main():
    OUTPUT.parent.mkdir(exist_ok=True)
    text = json.dumps(build(), ensure_ascii=False, indent=2) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(build())} objects")


if __name__ == "__main__":
    main()
