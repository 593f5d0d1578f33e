<?php

namespace Drupal\product_reviews\Controller;

use Drupal\Core\Controller\ControllerBase;
use Symfony\Component\HttpFoundation\Response;

/**
 * Exports every product review as a CSV file for offline analysis.
 */
class ReviewExportController extends ControllerBase {

  /**
   * Streams the CSV download.
   */
  public function csv() {
    $account = \Drupal::currentUser();
    $storage = \Drupal::entityTypeManager()->getStorage('node');
    $date_formatter = \Drupal::service('date.formatter');
    $timezone = drupal_get_user_timezone();

    $ids = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', 'product_review')
      ->sort('created', 'DESC')
      ->execute();

    $handle = fopen('php://temp', 'r+');
    fputcsv($handle, ['Review', 'Product', 'Rating', 'Author', 'Published', 'Created']);
    foreach ($storage->loadMultiple($ids) as $review) {
      fputcsv($handle, [
        $review->label(),
        $review->get('field_product')->target_id,
        $review->get('field_rating')->value,
        $review->getOwner()->getDisplayName(),
        $review->isPublished() ? 'yes' : 'no',
        $date_formatter->format($review->getCreatedTime(), 'custom', 'Y-m-d H:i', $timezone),
      ]);
    }
    rewind($handle);
    $csv = stream_get_contents($handle);
    fclose($handle);

    \Drupal::logger('product_reviews')->info('@user exported @count reviews.', [
      '@user' => $account->getDisplayName(),
      '@count' => count($ids),
    ]);

    $response = new Response($csv);
    $response->headers->set('Content-Type', 'text/csv; charset=utf-8');
    $response->headers->set('Content-Disposition', 'attachment; filename="product-reviews.csv"');
    return $response;
  }

}
