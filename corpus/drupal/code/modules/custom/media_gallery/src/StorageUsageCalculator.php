<?php

declare(strict_types=1);

namespace Drupal\media_gallery;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Database\Connection;

/**
 * Measures the disk space taken by files attached to media entities.
 */
class StorageUsageCalculator {

  public function __construct(
    protected readonly Connection $database,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * Returns file counts and bytes per media type.
   *
   * @return array<string, array{files: int, bytes: int}>
   *   Usage keyed by media type ID, largest first.
   */
  public function usageByMediaType(): array {
    $query = $this->database->select('media_field_data', 'm');
    $query->innerJoin('file_usage', 'fu', '[fu].[id] = [m].[mid] AND [fu].[type] = :type', [':type' => 'media']);
    $query->innerJoin('file_managed', 'f', '[f].[fid] = [fu].[fid]');
    $query->condition('m.default_langcode', 1);
    $query->addField('m', 'bundle');
    $query->addExpression('COUNT(DISTINCT [f].[fid])', 'files');
    $query->addExpression('SUM([f].[filesize])', 'bytes');
    $query->groupBy('m.bundle');
    $query->orderBy('bytes', 'DESC');

    $usage = [];
    foreach ($query->execute() as $row) {
      $usage[$row->bundle] = ['files' => (int) $row->files, 'bytes' => (int) $row->bytes];
    }
    return $usage;
  }

  /**
   * Returns the bytes used by all media files.
   */
  public function totalBytes(): int {
    return array_sum(array_column($this->usageByMediaType(), 'bytes'));
  }

  /**
   * Returns the share of the configured quota in use, from 0 to 100 or more.
   */
  public function quotaPercentage(): float {
    $quota = (int) $this->configFactory->get('media_gallery.settings')->get('quota_bytes');
    if ($quota <= 0) {
      return 0.0;
    }
    return round($this->totalBytes() / $quota * 100, 1);
  }

}
