<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Entity\EntityTypeBundleInfoInterface;
use Drupal\Core\StringTranslation\ByteSizeMarkup;
use Drupal\media_gallery\StorageUsageCalculator;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Reports the disk space media files take, per media type and in total.
 */
class StorageReportController extends ControllerBase {

  public function __construct(
    protected readonly StorageUsageCalculator $storageUsage,
    protected readonly EntityTypeBundleInfoInterface $bundleInfo,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('media_gallery.storage_usage'),
      $container->get('entity_type.bundle.info'),
    );
  }

  /**
   * Builds the storage report table.
   */
  public function report(): array {
    $bundles = $this->bundleInfo->getBundleInfo('media');
    $rows = [];
    foreach ($this->storageUsage->usageByMediaType() as $bundle => $usage) {
      $rows[] = [
        $bundles[$bundle]['label'] ?? $bundle,
        $this->formatPlural($usage['files'], '1 file', '@count files'),
        ByteSizeMarkup::create($usage['bytes']),
      ];
    }

    $quota = (int) $this->config('media_gallery.settings')->get('quota_bytes');
    return [
      'summary' => [
        '#type' => 'item',
        '#title' => $this->t('Total'),
        '#markup' => $this->t('@used of @quota used (@percentage%)', [
          '@used' => ByteSizeMarkup::create($this->storageUsage->totalBytes()),
          '@quota' => $quota > 0 ? ByteSizeMarkup::create($quota) : $this->t('unlimited'),
          '@percentage' => $this->storageUsage->quotaPercentage(),
        ]),
      ],
      'table' => [
        '#type' => 'table',
        '#header' => [$this->t('Media type'), $this->t('Files'), $this->t('Size')],
        '#rows' => $rows,
        '#empty' => $this->t('No media files have been uploaded yet.'),
      ],
      '#cache' => [
        'tags' => ['media_list', 'config:media_gallery.settings'],
        'max-age' => 3600,
      ],
    ];
  }

}
