"""Invented free text for the encrypted details of stage records: plausible, never about anyone.

The texts are short and generic on purpose: they give the ciphertext realistic sizes and the
pages something to show, nothing more.
"""

import random

CITIES = {
    "AL": ["Tirana", "Durrës", "Elbasan", "Shkodër", "Vlorë", "Korçë", "Fier"],
    "MA": ["Casablanca", "Tanger", "Fès", "Marrakech", "Oujda", "Béni Mellal", "Agadir"],
    "UA": ["Kyiv", "Lviv", "Odesa", "Kharkiv", "Dnipro", "Chernivtsi", "Vinnytsia"],
    "GR": ["Athens", "Thessaloniki", "Patras", "Heraklion", "Larissa"],
    "PL": ["Warsaw", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk"],
    "ES": ["Madrid", "Barcelona", "Almería", "Murcia", "Valencia", "Sevilla", "Huelva"],
    "IT": ["Rome", "Milan", "Naples", "Turin", "Bari", "Palermo", "Caserta", "Foggia"],
    "FR": ["Paris", "Marseille", "Lyon", "Lille", "Nice", "Toulouse", "Bordeaux"],
    "NG": ["Benin City", "Lagos", "Abuja"],
    "RO": ["Bucharest", "Iași", "Craiova", "Constanța"],
    "MD": ["Chișinău", "Bălți", "Cahul"],
    "BG": ["Sofia", "Plovdiv", "Sliven", "Varna"],
    "EG": ["Cairo", "Alexandria", "Minya"],
    "SY": ["Aleppo", "Damascus", "Homs"],
}
TRANSIT = ["by bus through Belgrade", "by ferry from Durrës to Bari", "by air via Istanbul",
           "overland through Libya and by boat to Lampedusa", "by car through Hungary",
           "by minibus through Romania", "by boat across the Strait of Gibraltar",
           "by air with a tourist visa", "by bus through Skopje and Thessaloniki"]  # fmt: skip

NOTES = [
    "Referred by an outreach team after a night visit.",
    "Speaks little; an interpreter of the same sex was asked for.",
    "Afraid of the recruiter, who knows where the family lives.",
    "Worked without pay for several months; passport kept by the employer.",
    "Came to the hotline number written on a leaflet in the waiting room.",
    "Identified during a labour inspection on a farm.",
    "Wants to send money home and worries about the debt.",
    "Shows signs of exhaustion; sleeping badly.",
]
NEEDS = [
    "Safe accommodation, medical check-up, new clothes.",
    "Urgent dental care and a safe place to sleep.",
    "Psychological support and legal advice on residence.",
    "Treatment for an injury; a shelter away from the city.",
    "Food, a telephone to call the family, legal aid.",
    "Medical care for a chronic illness; an interpreter for appointments.",
]
ACTIONS = [
    "Shelter place arranged; doctor's appointment this week; lawyer informed.",
    "Weekly sessions with the psychologist; help to recover documents.",
    "Placement in the shelter; accompanied to the hospital; legal aid requested.",
    "Language classes; support with the residence application.",
]
RISKS_TRAFFICKERS = [
    "The recruiter lives in the home town and has contacts in the police.",
    "Members of the network were not arrested and know the family.",
    "The debt is still claimed by the recruiter's relatives.",
]
RISKS_FAMILY = [
    "The family arranged the travel and expects money.",
    "A parent is violent; another relative offers a home.",
    "The family does not know what happened and must not be told by others.",
]
RISKS_COMMUNITY = [
    "Stigma in the village; a move to the regional capital is safer.",
    "Few jobs in the home town; the recruiter is well known there.",
]
NEEDS_ON_ARRIVAL = [
    "Reception at the airport, a shelter for the first weeks, a medical check.",
    "Housing away from the home village; psychosocial support.",
    "Help to register for health insurance and to replace documents.",
]
GOALS = [
    "A vocational course and a job in {city} within six months.",
    "Finish school and live with the relatives in {city}.",
    "Start a small business in {city} with a grant and mentoring.",
    "Stable housing in {city} and regular psychological support.",
]
SITUATIONS = {
    "good": [
        "Works regularly and feels safe; in touch with the family.",
        "Attends school; lives with the aunt; no contact with the recruiter.",
        "The small business earns enough for rent and food.",
    ],
    "fair": [
        "Has occasional work; some debts; attends the support group.",
        "Lives with relatives; looking for work; sleeps better.",
    ],
    "poor": [
        "No income; thinks of leaving again; missed two appointments.",
        "Isolated; the recruiter was seen in the neighbourhood.",
    ],
}
CAREGIVERS = ["Her aunt", "His mother", "The grandmother", "An uncle and his wife",
              "The regional child-protection service"]  # fmt: skip
ASSESSMENTS = [
    "The caregiver has a stable home and income and wants the child back.",
    "Visited at home twice; the school will take the child in September.",
]
CHILDS_VIEWS = [
    "Wants to go home and go back to school.",
    "Misses the family; afraid of the neighbours knowing.",
    "Would like to live with the grandmother.",
]
REASONING = [
    "Family tracing found a safe caregiver; school and health care are arranged.",
    "The mother is able to care; child protection will follow up monthly.",
]


def pick(rng: random.Random, texts: list[str], **values) -> str:
    return rng.choice(texts).format(**values)


def city(rng: random.Random, country: str) -> str:
    return rng.choice(CITIES.get(country, ["the capital"]))


def route(rng: random.Random, origin: str, destination: str) -> str:
    return f"{city(rng, origin)} to {city(rng, destination)} {rng.choice(TRANSIT)}"
