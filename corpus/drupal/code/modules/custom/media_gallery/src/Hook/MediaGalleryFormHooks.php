<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Hook;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\StringTranslation\ByteSizeMarkup;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\media_gallery\StorageUsageCalculator;

/**
 * Form alterations that warn editors before the gallery quota runs out.
 */
class MediaGalleryFormHooks {

  use StringTranslationTrait;

  public function __construct(
    protected readonly StorageUsageCalculator $storageUsage,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * Implements hook_form_BASE_FORM_ID_alter() for media_form.
   */
  #[Hook('form_media_form_alter')]
  public function showQuotaNotice(array &$form, FormStateInterface $form_state): void {
    $quota = (int) $this->configFactory->get('media_gallery.settings')->get('quota_bytes');
    $percentage = $this->storageUsage->quotaPercentage();
    if ($quota <= 0 || $percentage < 80) {
      return;
    }

    $type = $percentage >= 100 ? 'error' : 'warning';
    $form['media_gallery_quota'] = [
      '#theme' => 'status_messages',
      '#message_list' => [
        $type => [
          $this->t('Gallery media use @used of the @quota quota (@percentage%). Remove unused images before uploading more.', [
            '@used' => ByteSizeMarkup::create($this->storageUsage->totalBytes()),
            '@quota' => ByteSizeMarkup::create($quota),
            '@percentage' => $percentage,
          ]),
        ],
      ],
      '#weight' => -100,
      '#cache' => ['max-age' => 300],
    ];
  }

  /**
   * Implements hook_form_FORM_ID_alter() for taxonomy_overview_terms.
   *
   * Explains on the album vocabulary's overview how terms become albums.
   */
  #[Hook('form_taxonomy_overview_terms_alter')]
  public function describeAlbumVocabulary(array &$form, FormStateInterface $form_state): void {
    $vocabulary = $form_state->get(['taxonomy', 'vocabulary']);
    if (!$vocabulary || $vocabulary->id() !== $this->configFactory->get('media_gallery.settings')->get('vocabulary')) {
      return;
    }
    $form['help']['media_gallery'] = [
      '#markup' => $this->t('Each term here is a photo album. Tag image media with a term to add them to its album.'),
      '#prefix' => '<p>',
      '#suffix' => '</p>',
    ];
  }

}
