import type * as G from '../generated/resolvers.js'
import type {
  ClaimResolvers,
  PlaceResolvers,
  ReportCitationResolvers,
  ReportResolvers,
  SourceChainLinkResolvers,
  SourceResolvers,
} from '../generated/resolvers.js'
import * as model from '../models.js'
import { type Complete, fetchedOr, globalId, mapped, mappedMany, required } from './node.js'

export const Source: Complete<SourceResolvers, G.Source, model.SourceModel> = {
  id: globalId('Source'),
  country: async ({ countryId }, _, { loaders }) =>
    countryId ? mapped(await loaders.place.load(countryId), model.toPlace) : null,
  reports: async ({ id }, _, { loaders }) =>
    (await loaders.reportsOfSource.load(id)).map(model.toReport),
}

export const Report: Complete<ReportResolvers, G.Report, model.ReportModel> = {
  id: globalId('Report'),
  source: ({ sourceId, fetchedSource }, _, { loaders }) =>
    fetchedOr(
      fetchedSource,
      (row) => mapped(row, model.toSource),
      async () => (sourceId ? mapped(await loaders.source.load(sourceId), model.toSource) : null),
    ),
  cites: async ({ id }, _, { loaders }) =>
    (await loaders.citationsOfReport.load(id)).map(model.toReportCitation),
  citedBy: async ({ id }, _, { loaders }) => {
    const citing = await loaders.citationsOfCitedReport.load(id)
    return mappedMany(
      loaders.report,
      citing.map((row) => row.report_id),
      model.toReport,
    )
  },
  sourceChain: async ({ id }, _, { loaders }) =>
    (await loaders.sourceChainOfReport.load(id)).map(model.toSourceChainLink),
}

export const ReportCitation: Complete<
  ReportCitationResolvers,
  G.ReportCitation,
  model.ReportCitationModel
> = {
  report: async ({ citedReportId }, _, { loaders }) =>
    citedReportId ? mapped(await loaders.report.load(citedReportId), model.toReport) : null,
  source: async ({ citedReportId, citedSourceId }, _, { loaders }) => {
    const sourceId =
      citedSourceId ??
      (citedReportId ? (await loaders.report.load(citedReportId))?.source_id : null)
    return sourceId ? mapped(await loaders.source.load(sourceId), model.toSource) : null
  },
}

export const SourceChainLink: Complete<
  SourceChainLinkResolvers,
  G.SourceChainLink,
  model.SourceChainLinkModel
> = {
  report: async ({ reportId }, _, { loaders }) =>
    reportId ? mapped(await loaders.report.load(reportId), model.toReport) : null,
  source: async ({ sourceId }, _, { loaders }) =>
    model.toSource(required(await loaders.source.load(sourceId), 'source', sourceId)),
}

export const Claim: Complete<ClaimResolvers, G.Claim, model.ClaimModel> = {
  id: globalId('Claim'),
  report: async ({ reportId }, _, { loaders }) =>
    model.toReport(required(await loaders.report.load(reportId), 'report', reportId)),
  statedBy: async ({ statedBySourceId }, _, { loaders }) =>
    statedBySourceId ? mapped(await loaders.source.load(statedBySourceId), model.toSource) : null,
}

export const Place: Complete<PlaceResolvers, G.Place, model.PlaceModel> = {
  id: globalId('Place'),
  parent: async ({ parentId }, _, { loaders }) =>
    parentId ? mapped(await loaders.place.load(parentId), model.toPlace) : null,
  country: async ({ countryId }, _, { loaders }) =>
    model.toPlace(required(await loaders.place.load(countryId), 'place', countryId)),
}
