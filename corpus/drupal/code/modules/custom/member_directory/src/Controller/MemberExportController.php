<?php

namespace Drupal\member_directory\Controller;

use Drupal\Core\Controller\ControllerBase;
use Symfony\Component\HttpFoundation\Response;

/**
 * Exports every listed member as a CSV download.
 */
class MemberExportController extends ControllerBase {

  /**
   * Streams the CSV file of listed members.
   */
  public function export() {
    $storage = \Drupal::entityTypeManager()->getStorage('user');
    $ids = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('status', 1)
      ->condition('field_directory_listed', 1)
      ->sort('name')
      ->execute();

    $formatter = \Drupal::service('date.formatter');
    $timezone = drupal_get_user_timezone();
    $include_phone = \Drupal::currentUser()->hasPermission('view member contact details');

    $handle = fopen('php://temp', 'r+');
    fputcsv($handle, ['Name', 'Handle', 'Job title', 'Telephone', 'Member since']);
    foreach ($storage->loadMultiple($ids) as $member) {
      fputcsv($handle, [
        $member->getDisplayName(),
        $member->get('field_handle')->value,
        $member->get('field_job_title')->value,
        $include_phone ? $member->get('field_phone')->value : '',
        $formatter->format($member->getCreatedTime(), 'custom', 'Y-m-d', $timezone),
      ]);
    }
    rewind($handle);
    $csv = stream_get_contents($handle);
    fclose($handle);

    \Drupal::logger('member_directory')->info('%user exported @count members.', [
      '%user' => \Drupal::currentUser()->getAccountName(),
      '@count' => count($ids),
    ]);

    return new Response($csv, 200, [
      'Content-Type' => 'text/csv; charset=utf-8',
      'Content-Disposition' => 'attachment; filename="member-directory.csv"',
    ]);
  }

}
