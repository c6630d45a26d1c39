import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { datesIn } from '../src/drafts/dates.js'
import type { Extraction } from '../src/drafts/extraction.js'
import { defaultExtractor } from '../src/drafts/extractors.js'

// The extractor on its own (no database): what it finds in the seed report and in a few
// sentences written for one rule each; every value's span must hold the words it came from.

const seed = readFileSync(
  new URL('./fixtures/drafts/reports/01-sidi-bouzid-raid.txt', import.meta.url),
  'utf8',
)
const extract = (text: string, publishedOn = '2019-01-04', source = 'Reuters') =>
  defaultExtractor().extract({ text, publishedOn, source })
const inForce = (extraction: Extraction['event']) =>
  extraction.figures
    .filter((figure) => !figure.superseded)
    .map((f) => [f.category, f.population, f.best ?? f.low ?? f.high])

describe('the seed report', () => {
  const extraction = extract(seed, '2019-01-04', 'The Defense Post')
  const { event } = extraction

  it('dates the raid Thursday, January 3, 2019 from the publication, and flags the caption’s 2018', () => {
    expect(event.date).toMatchObject({ date: '2019-01-03', precision: 'DAY' })
    expect(event.date?.conflict).toMatch(/January 3, 2018.*2018-01-03/)
    expect(seed.slice(event.date?.start, event.date?.end)).toBe('Thursday, January 3')
  })

  it('counts perpetrators killed and a police officer injured, not civilians', () => {
    expect(inForce(event)).toEqual([
      ['KILLED', 'PERPETRATORS', 2],
      ['INJURED', 'SECURITY_FORCES', 1],
    ])
  })

  it('finds Jund al-Khilafa as the raid’s target, Ezzedine Alaoui among the dead with his role', () => {
    expect(event.groups).toEqual([
      expect.objectContaining({
        name: 'Jund al-Khilafa',
        attribution: 'CONFIRMED',
        role: 'TARGET',
      }),
    ])
    expect(event.persons).toEqual([
      expect.objectContaining({
        name: 'Ezzedine Alaoui',
        outcome: 'KILLED',
        groupName: 'Brigade of Jihad and Unity',
      }),
    ])
    expect(event.place).toMatchObject({ name: 'Sidi Bouzid', countryCode: 'TUN' })
  })

  it('follows the source chain: Sliti through Reuters, the interior ministry, Zelin', () => {
    const sources = Object.fromEntries(extraction.sources.map((source) => [source.name, source]))
    expect(sources['Soufien Sliti']).toMatchObject({ kind: 'PERSON', via: 'Reuters' })
    expect(sources['interior ministry']).toMatchObject({ kind: 'GOVERNMENT' })
    expect(sources['Aaron Zelin']).toMatchObject({ kind: 'PERSON' })
    expect(sources['The Defense Post']).toBeUndefined()
  })

  it('keeps the claims about groups: an allegiance, and the disputed estimate of Tunisians who joined', () => {
    expect(extraction.claims).toContainEqual(
      expect.objectContaining({
        groupName: 'Jund al-Khilafa',
        property: 'allegiance',
        valueText: 'ISIS',
      }),
    )
    expect(extraction.claims).toContainEqual(
      expect.objectContaining({ groupName: 'ISIS', high: 6000, qualifier: 'AT_MOST' }),
    )
  })

  it('lists the earlier attacks it mentions as other events, with their own dates and figures', () => {
    const mentioned = extraction.mentionedEvents.map((e) => [
      e.date?.date,
      e.date?.precision,
      inForce(e),
    ])
    expect(mentioned).toEqual([
      ['2018-10-29', 'DAY', [['INJURED', 'ALL', 26]]],
      ['2015-11-01', 'MONTH', [['KILLED', 'SECURITY_FORCES', 12]]],
      ['2015-06-01', 'MONTH', [['KILLED', 'ALL', 38]]],
    ])
  })

  it('gives every value the span of its own words', () => {
    const values = [
      event.date,
      event.place,
      ...event.figures,
      ...event.groups,
      ...event.persons,
      ...extraction.sources,
    ]
    for (const value of values) {
      expect(value?.end).toBeGreaterThan(value?.start ?? Number.POSITIVE_INFINITY)
      expect(value?.confidence).toBeGreaterThan(0)
      expect(value?.confidence).toBeLessThanOrEqual(1)
    }
    for (const figure of event.figures)
      expect(seed.slice(figure.start, figure.end)).toMatch(/killed|injured/)
    for (const group of event.groups) expect(seed.slice(group.start, group.end)).toBe(group.name)
  })
})

describe('dates', () => {
  const on = (text: string, publishedOn = '2021-03-15') => datesIn(text, publishedOn)[0]

  it('resolves weekdays back from the publication day, and a date without its year to the latest before it', () => {
    expect(on('on Saturday')).toMatchObject({ date: '2021-03-13', precision: 'DAY' })
    expect(on('on Monday')).toMatchObject({ date: '2021-03-15' })
    expect(on('on December 30', '2021-01-04')).toMatchObject({ date: '2020-12-30' })
  })

  it('gives weeks, months and years their spans', () => {
    expect(on('last week')).toMatchObject({
      date: '2021-03-08',
      dateEnd: '2021-03-14',
      precision: 'WEEK',
    })
    expect(on('in June 2015')).toMatchObject({
      date: '2015-06-01',
      dateEnd: '2015-06-30',
      precision: 'MONTH',
    })
    expect(on('between April 7 and April 10', '2022-04-11')).toMatchObject({
      date: '2022-04-07',
      dateEnd: '2022-04-10',
      precision: 'RANGE',
    })
  })

  it('flags a weekday that does not fit its date', () => {
    expect(on('Friday, January 3, 2019')?.conflict).toContain('Friday does not fall on 2019-01-03')
  })
})

describe('figures', () => {
  it('supersedes a toll that a later one revised, and says whom a count of people counted', () => {
    const text = `Bomb kills four policemen in Peshawar

A suicide bomber killed four policemen and wounded six other people on Tuesday, police said. Police later raised the death toll to five.`
    expect(inForce(extract(text, '2020-02-18').event)).toEqual([
      ['INJURED', 'ALL', 6],
      ['KILLED', 'SECURITY_FORCES', 5],
    ])
  })

  it('reads qualifiers and counts written in words', () => {
    const { event } = extract(
      'Gunmen killed at least two hundred villagers and abducted dozens of women on Sunday, officials said.',
      '2021-03-15',
    )
    expect(
      event.figures.map((f) => [f.category, f.population, f.qualifier, f.low, f.vagueTerm]),
    ).toEqual([
      ['KILLED', 'CIVILIANS', 'AT_LEAST', 200, null],
      ['HOSTAGE', 'CIVILIANS', 'VAGUE', null, 'dozens'],
    ])
  })
  it('counts each part of a joined subject, past an aside, and a part said "including"', () => {
    const figures = (text: string) => inForce(extract(text, '2022-03-08').event)
    expect(
      figures('Six rebels and a policeman were killed in a shootout on Monday, the army said.'),
    ).toEqual([
      ['KILLED', 'SECURITY_FORCES', 1],
      ['KILLED', 'PERPETRATORS', 6],
    ])
    expect(
      figures(
        'Some 30 people, most of them farmers, were killed in the raid on Monday, police said.',
      ),
    ).toEqual([['KILLED', 'ALL', 30]])
    expect(
      figures('The bomb killed 11 people, including three soldiers, on Monday, officials said.'),
    ).toEqual([
      ['KILLED', 'ALL', 11],
      ['KILLED', 'SECURITY_FORCES', 3],
    ])
  })

  it('reads "a dozen", "one was wounded", the wounded in hospital, and a toll revised in a later sentence', () => {
    const { event } = extract(
      `Gunmen killed a dozen villagers and two soldiers were killed and one was wounded on Monday, the governor said. Another 9 people were being treated in hospital.

The toll was later revised to 15 by the army.`,
      '2022-03-08',
    )
    expect(event.figures.map((f) => [f.category, f.population, f.best, f.superseded])).toEqual(
      expect.arrayContaining([
        ['KILLED', 'CIVILIANS', 12, true],
        ['KILLED', 'SECURITY_FORCES', 2, false],
        ['INJURED', 'SECURITY_FORCES', 1, false],
        ['KILLED', 'CIVILIANS', 15, false],
      ]),
    )
  })
})

describe('groups', () => {
  it('tells a claim from a suspicion, and a patron from an actor', () => {
    const { event } = extract(
      `Bombing kills 20 in Jolo

Two bombs killed 20 people on Sunday, officials said. Islamic State claimed responsibility. Officials suspect the Abu Sayyaf group, which has pledged allegiance to Islamic State, carried out the attack.`,
      '2019-01-28',
    )
    expect(event.groups.map((g) => [g.name, g.attribution])).toEqual([
      ['Islamic State', 'CLAIMED'],
      ['Abu Sayyaf', 'SUSPECTED'],
    ])
  })
})

describe('events', () => {
  it('tells a separate attack "on the same day" as its own event, dated as the main one', () => {
    const extraction = extract(
      `Militants kill 30 in Niger

At least 30 civilians were killed when militants attacked a market in Tahoua on Thursday, the government said.

Eight soldiers died in a separate attack on an army post in Tillaberi on the same day, the government said.`,
      '2022-03-12',
    )
    expect(inForce(extraction.event)).toEqual([['KILLED', 'CIVILIANS', 30]])
    expect(extraction.mentionedEvents).toHaveLength(1)
    const [other] = extraction.mentionedEvents
    expect(other?.date).toMatchObject({ date: '2022-03-10', precision: 'DAY' })
    expect(other && inForce(other)).toEqual([['KILLED', 'SECURITY_FORCES', 8]])
    expect(other?.place?.name).toBe('Tillaberi')
  })
})

describe('known groups', () => {
  it('knows a group by a name with no group word, spelt a letter off, and gives its other names', () => {
    const { event } = extract(
      'Police said the dead gunmen were members of Lashkar-e-Tayba, which claimed the attack on Monday.',
      '2022-03-08',
    )
    expect(event.groups).toEqual([
      expect.objectContaining({
        name: 'Lashkar-e-Tayba',
        attribution: 'CLAIMED',
        aliases: expect.arrayContaining(['Lashkar-e-Taiba', 'LeT']),
      }),
    ])
  })

  it('gives a group claimed for "both attacks" to both events, and not a group its members once were', () => {
    const extraction = extract(
      `Twin attacks kill soldiers in Niger

Gunmen killed eight soldiers in Tahoua on Monday, the army said. Five more soldiers were killed in a separate attack in Tillaberi on Sunday.

Islamic State in the Greater Sahara claimed both attacks. The army blamed the Macina Liberation Front, a group of former Ansar Dine fighters, for an earlier raid.`,
      '2022-03-08',
    )
    const names = (event: Extraction['event']) => event.groups.map((g) => g.name)
    expect(names(extraction.event)).toContain('Islamic State in the Greater Sahara')
    expect(extraction.mentionedEvents.map(names)).toEqual([
      expect.arrayContaining(['Islamic State in the Greater Sahara']),
    ])
    expect([extraction.event, ...extraction.mentionedEvents].flatMap(names)).not.toContain(
      'Ansar Dine',
    )
  })

  it('takes no count, river or force for a person', () => {
    const { event } = extract(
      'Twenty-one Malian soldiers and a Frontier Corps officer were killed near the Niger River on Monday.',
      '2022-03-08',
    )
    expect(event.persons).toEqual([])
  })
})

describe('places', () => {
  it('places a town the gazetteer knows in the country it lies in, with its point and its province', () => {
    const { event } = extract(
      `Attack near the Venezuelan border

Gunmen killed two farmers near Cucuta in Colombia's Norte de Santander province on Monday, the army said.`,
      '2022-03-08',
    )
    expect(event.place).toMatchObject({
      name: 'Cucuta',
      countryCode: 'COL',
      admin1: 'Norte de Santander',
      geoPrecision: 'NEAR',
    })
    expect(event.place?.latitude).toBeCloseTo(7.89, 1)
    expect(event.place?.longitude).toBeCloseTo(-72.5, 1)
  })

  it('names a province alone when the report names no town, with no point', () => {
    const { event } = extract(
      'Militants killed three soldiers in Pakistan’s Khyber Pakhtunkhwa province on Friday, the military said.',
      '2023-05-14',
    )
    expect(event.place).toMatchObject({
      name: 'Khyber Pakhtunkhwa',
      countryCode: 'PAK',
      geoPrecision: 'ADMIN1',
      latitude: null,
    })
  })
})
