import { Router, type Response } from 'express';
import { sensorInputSchema } from '../../analytics/sensor.service.js';
import { validate } from '../../shared/validate.js';
import type { AdminDeps } from '../admin-deps.js';
import { fieldErrorsOf, hasErrors, loadPlaces, orgOf, placementChoices, placementErrors, textOf, type FieldErrors, type Places } from './gateway-sensor.form.js';
import { lastSeenText, sparkline, statusOf } from './sensor-activity.js';
import { agentSettings, ingestExample } from './sensor-example.js';

const SENSOR_FIELDS = ['name', 'venueId', 'zoneId'] as const;
const WINDOW_MINUTES = 60;
const STATUS_LABELS = { online: 'Online', stale: 'Stale', never: 'Never seen' } as const;

interface SensorForm {
  name: string;
  venueId: string;
  zoneId: string;
}

const readForm = (body: unknown): SensorForm => ({ name: textOf(body, 'name'), venueId: textOf(body, 'venueId'), zoneId: textOf(body, 'zoneId') });
const inputFrom = (form: SensorForm) => ({ name: form.name, venueId: form.venueId, zoneId: form.zoneId.trim() === '' ? undefined : form.zoneId });

/** /admin/sensors: each sensor's health and last hour, the "Add a sensor" form, and the token once. */
export function sensorPages(deps: AdminDeps): Router {
  const router = Router();
  const sensors = deps.services.sensors;

  const renderList = async (res: Response, status: number, orgId: string, form: SensorForm, errors: FieldErrors, places?: Places) => {
    const now = deps.clock.now();
    const [where, list, activity] = await Promise.all([places ?? loadPlaces(deps, orgId), sensors.list(orgId), sensors.probesPerMinute(orgId, now, WINDOW_MINUTES)]);
    const quiet = new Array<number>(WINDOW_MINUTES).fill(0);
    res.status(status).render('admin/setup/sensors', {
      title: 'Sensors',
      sensors: list.map((s) => {
        const state = statusOf(s.lastSeenAt, now);
        return {
          id: s.id,
          name: s.name,
          venue: where.venueName(s.venueId),
          zone: where.zoneName(s.zoneId),
          lastSeen: { text: lastSeenText(s.lastSeenAt, now), iso: s.lastSeenAt?.toISOString() },
          status: state,
          statusLabel: STATUS_LABELS[state],
          activity: sparkline(`Probes per minute, last hour: ${s.name}`, activity.get(s.id) ?? quiet),
        };
      }),
      form,
      ...placementChoices(where, form),
      noVenues: where.venues.length === 0,
      errors,
      hasErrors: hasErrors(errors),
    });
  };

  router.get('/', async (_req, res) => {
    await renderList(res, 200, orgOf(res), { name: '', venueId: '', zoneId: '' }, {});
  });

  router.post('/', async (req, res) => {
    const orgId = orgOf(res);
    const form = readForm(req.body);
    const places = await loadPlaces(deps, orgId);
    let errors: FieldErrors = {};
    try {
      validate(sensorInputSchema, inputFrom(form));
    } catch (error) {
      errors = fieldErrorsOf(error, SENSOR_FIELDS);
    }
    Object.assign(errors, placementErrors(places, form));
    if (!hasErrors(errors)) {
      try {
        const { sensor, token } = await sensors.create(orgId, inputFrom(form));
        // Only the token's hash is kept: this answer is the one time anyone sees it.
        res.set('Cache-Control', 'no-store');
        res.status(201).render('admin/setup/sensor-created', {
          title: `Sensor ${sensor.name}`,
          sensor: { name: sensor.name, venue: places.venueName(sensor.venueId), zone: places.zoneName(sensor.zoneId) },
          blocks: [
            { id: 'token', title: 'Ingest token', text: token },
            { id: 'curl', title: 'Send one test probe', text: ingestExample(deps.config.publicUrl, token) },
            { id: 'agent', title: 'OpenWrt agent settings', text: agentSettings(deps.config.publicUrl, token) },
          ],
        });
        return;
      } catch (error) {
        errors = fieldErrorsOf(error, SENSOR_FIELDS);
      }
    }
    await renderList(res, 400, orgId, form, errors, places);
  });
  return router;
}
