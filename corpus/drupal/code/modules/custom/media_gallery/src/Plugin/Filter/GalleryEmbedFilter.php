<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Plugin\Filter;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Render\RendererInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\filter\Attribute\Filter;
use Drupal\filter\FilterProcessResult;
use Drupal\filter\Plugin\FilterBase;
use Drupal\filter\Plugin\FilterInterface;
use Drupal\media_gallery\GalleryBuilder;
use Drupal\taxonomy\TermInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Replaces [gallery:ID] shortcodes in text with the album of that term.
 */
#[Filter(
  id: 'media_gallery_embed',
  title: new TranslatableMarkup('Embed photo galleries'),
  type: FilterInterface::TYPE_TRANSFORM_REVERSIBLE,
  description: new TranslatableMarkup('Turns [gallery:12] into the images of album 12.'),
  weight: 10,
)]
class GalleryEmbedFilter extends FilterBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly GalleryBuilder $galleryBuilder,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly RendererInterface $renderer,
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
      $container->get('media_gallery.builder'),
      $container->get('entity_type.manager'),
      $container->get('renderer'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function process($text, $langcode): FilterProcessResult {
    $result = new FilterProcessResult($text);
    if (!str_contains($text, '[gallery:')) {
      return $result;
    }

    $storage = $this->entityTypeManager->getStorage('taxonomy_term');
    $processed = preg_replace_callback('/\[gallery:(\d+)\]/', function (array $match) use ($storage, $result): string {
      $album = $storage->load($match[1]);
      if (!$album instanceof TermInterface || !$album->access('view')) {
        return '';
      }
      $build = $this->galleryBuilder->buildAlbum($album, 3);
      $html = (string) $this->renderer->renderInIsolation($build);
      $result->addCacheTags($build['#cache']['tags'] ?? []);
      return $html;
    }, $text);

    $result->setProcessedText($processed);
    $result->addCacheContexts(['user.permissions']);
    return $result;
  }

  /**
   * {@inheritdoc}
   */
  public function tips($long = FALSE): string {
    if (!$long) {
      return (string) $this->t('Insert an album with [gallery:ID].');
    }
    return (string) $this->t('Write [gallery:ID], where ID is the number of a gallery term, on a line of its own to show that album as a grid of thumbnails.');
  }

}
