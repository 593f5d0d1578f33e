<?php

namespace Drupal\event_calendar\Controller;

use Drupal\Core\Controller\ControllerBase;
use Symfony\Component\HttpFoundation\Response;

/**
 * Exports upcoming events and their attendee counts as a CSV file.
 */
class EventExportController extends ControllerBase {

  /**
   * Streams the CSV export.
   */
  public function export() {
    $config = \Drupal::config('event_calendar.settings');
    $field = $config->get('date_field');
    $storage = \Drupal::entityTypeManager()->getStorage('node');
    $nids = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', $config->get('bundle'))
      ->sort($field . '.value')
      ->execute();

    $timezone = drupal_get_user_timezone();
    $formatter = \Drupal::service('date.formatter');
    $tracker = \Drupal::service('event_calendar.rsvp_tracker');

    $handle = fopen('php://temp', 'r+');
    fputcsv($handle, ['ID', 'Title', 'Starts', 'Venue', 'Headcount']);
    foreach ($storage->loadMultiple($nids) as $node) {
      $start = strtotime($node->get($field)->value . ' UTC');
      fputcsv($handle, [
        $node->id(),
        $node->label(),
        $formatter->format($start, 'custom', 'Y-m-d H:i', $timezone),
        $node->get('field_venue')->value,
        $tracker->headcount($node),
      ]);
    }
    rewind($handle);
    $csv = stream_get_contents($handle);
    fclose($handle);

    \Drupal::logger('event_calendar')->notice('%user exported @count events.', [
      '%user' => \Drupal::currentUser()->getAccountName(),
      '@count' => count($nids),
    ]);

    return new Response($csv, 200, [
      'Content-Type' => 'text/csv; charset=utf-8',
      'Content-Disposition' => 'attachment; filename="events.csv"',
    ]);
  }

}
