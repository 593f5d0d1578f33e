<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Plugin\QueueWorker;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\file\FileInterface;
use Drupal\image\ImageStyleInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Generates image style derivatives of new gallery images ahead of time.
 *
 * Queue items are arrays with the media ID and the image style IDs to build,
 * so the first visitor of an album does not wait for dozens of derivatives.
 */
#[QueueWorker(
  id: 'media_gallery_thumbnail_warmup',
  title: new TranslatableMarkup('Generate gallery thumbnails'),
  cron: ['time' => 45],
)]
class ThumbnailWarmupWorker extends QueueWorkerBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly LoggerInterface $logger,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('entity_type.manager'),
      $container->get('logger.channel.media_gallery'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function processItem($data): void {
    $media = $this->entityTypeManager->getStorage('media')->load($data['mid'] ?? 0);
    $file = $media?->get('thumbnail')->entity;
    if (!$file instanceof FileInterface) {
      return;
    }

    $source = $file->getFileUri();
    $styles = $this->entityTypeManager->getStorage('image_style')->loadMultiple($data['styles'] ?? []);
    $created = 0;
    foreach ($styles as $style) {
      assert($style instanceof ImageStyleInterface);
      $derivative = $style->buildUri($source);
      if (file_exists($derivative)) {
        continue;
      }
      if ($style->createDerivative($source, $derivative)) {
        $created++;
      }
      else {
        $this->logger->warning('Could not create the %style derivative of %uri.', [
          '%style' => $style->label(),
          '%uri' => $source,
        ]);
      }
    }
    if ($created > 0) {
      $this->logger->info('Generated @count thumbnails for media @mid.', ['@count' => $created, '@mid' => $media->id()]);
    }
  }

}
