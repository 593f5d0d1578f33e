<?php

declare(strict_types=1);

namespace Drupal\member_directory\Hook;

use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Session\AccountInterface;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\Core\Url;

/**
 * Adjusts the account form for members choosing how they are listed.
 */
class MemberDirectoryFormHooks {

  use StringTranslationTrait;

  public function __construct(
    protected readonly AccountInterface $currentUser,
  ) {}

  /**
   * Implements hook_form_BASE_FORM_ID_alter() for user_form.
   *
   * Groups the directory fields, explains what listing means, and hides the
   * opt-in from roles that may not manage their own listing.
   */
  #[Hook('form_user_form_alter')]
  public function alterAccountForm(array &$form, FormStateInterface $form_state): void {
    if (!isset($form['field_directory_listed'])) {
      return;
    }

    $form['member_directory'] = [
      '#type' => 'details',
      '#title' => $this->t('Member directory'),
      '#open' => TRUE,
      '#weight' => 5,
    ];
    foreach (['field_directory_listed', 'field_handle', 'field_job_title', 'field_expertise'] as $field) {
      if (isset($form[$field])) {
        $form['member_directory'][$field] = $form[$field];
        unset($form[$field]);
      }
    }

    $form['member_directory']['field_directory_listed']['widget']['value']['#description'] = $this->t('Listed members can be found on the <a href=":url">member directory</a> by name and expertise.', [
      ':url' => Url::fromRoute('member_directory.listing')->toString(),
    ]);
    $can_manage = $this->currentUser->hasPermission('manage own directory listing')
      || $this->currentUser->hasPermission('administer member directory');
    $form['member_directory']['field_directory_listed']['#access'] = $can_manage;
  }

}
